// The error a model accessor throws when the values it is given do not fit
// the model: a value of the wrong type for a field, a field the model does
// not have, a change to `id`. Its message names the model, the accessor and
// the field. Thrown out of a request handler (which passed request data
// through), the server answers 400 `{"error": message, "field": field}`
// instead of 500 (pipeline.ts); anywhere else it is an ordinary error with a
// clear message. Kept free of imports so the server can recognise it cheaply.
export class ModelInputError extends Error {
  override readonly name = "ModelInputError";
  /** The status the server answers with when a request handler lets it through. */
  readonly status = 400;
  constructor(
    message: string,
    /** The field (or filter key) that was wrong. */
    readonly field: string,
  ) {
    super(message);
  }
}
