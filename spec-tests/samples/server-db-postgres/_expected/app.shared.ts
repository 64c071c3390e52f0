// This application's shared block is empty.
export {};
