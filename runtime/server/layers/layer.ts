// A layer wraps the server's fetch function: it may answer a request itself
// (a CORS preflight, a 429, a 401, a static file) or pass it on and change the
// response on its way out (headers). `start` composes only the layers a program
// declares, so a program pays only for what it uses (issue 10; bench/).
export type Fetch = (req: Request, server: unknown) => Response | Promise<Response>;
export type Layer = (next: Fetch) => Fetch;

/** `layers[0]` is the outermost: it sees the request first and the response last. */
export function compose(layers: readonly Layer[], inner: Fetch): Fetch {
  let fetch = inner;
  for (let i = layers.length - 1; i >= 0; i--) fetch = layers[i]!(fetch);
  return fetch;
}

/** Applies `f` to a response that may still be on its way. */
export function after(out: Response | Promise<Response>, f: (res: Response) => Response): Response | Promise<Response> {
  return out instanceof Promise ? out.then(f) : f(out);
}
