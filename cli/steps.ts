/**
 * The steps of a long command (`tova build`), shown as they run. At a
 * terminal each step is a line with a spinner while it runs and its duration
 * once done (listr2's default renderer, one task list per step, so a step's
 * line stays as it was once it finished); in CI, with `--quiet`, or when the
 * output is not a terminal, one plain line per finished step; for commands
 * that build as a part of something else (`tova dev`, `tova run`), nothing.
 */

export interface Steps {
  /** Runs `fn`, shown as `doing...` while it runs and `done (duration)` once it finished. */
  run<T>(doing: string, done: string, fn: () => Promise<T> | T): Promise<T>;
}

export type StepStyle = "terminal" | "plain" | "silent";

/** The style for this process: NO_COLOR only removes colours; CI or a pipe gives plain lines. */
export function stepStyle(options: { quiet?: boolean; silent?: boolean } = {}, stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): StepStyle {
  if (options.silent) return "silent";
  if (options.quiet || (env["CI"] !== undefined && env["CI"] !== "" && env["CI"] !== "false") || stream.isTTY !== true) return "plain";
  return "terminal";
}

const seconds = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** Yields once, so a line drawn before synchronous work (the compiler) is on the screen while it runs. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createSteps(style: StepStyle, out: NodeJS.WritableStream = process.stdout): Steps {
  if (style === "silent") return { run: async (_doing, _done, fn) => fn() };
  if (style === "plain") {
    return {
      async run(_doing, done, fn) {
        const started = performance.now();
        const value = await fn();
        out.write(`${done} (${seconds(performance.now() - started)})\n`);
        return value;
      },
    };
  }
  return {
    async run<T>(doing: string, done: string, fn: () => Promise<T> | T): Promise<T> {
      // Loaded only at a terminal: listr2 and its renderer are not needed for plain lines.
      const { Listr } = await import("listr2");
      let value!: T;
      const started = performance.now();
      await new Listr(
        [
          {
            title: `${doing}...`,
            task: async (_ctx, task) => {
              await breathe();
              value = await fn();
              task.title = `${done} (${seconds(performance.now() - started)})`;
            },
          },
        ],
        { renderer: "default", exitOnError: true, rendererOptions: { lazy: false } },
      ).run();
      return value;
    },
  };
}
