/**
 * A value the model changed on the user's behalf, as hcsshim does with a logged warning. The model is
 * pure, so it returns these and the caller logs them (with `message` as the log message and
 * `requested`/`assigned` as fields, like hcsshim).
 */
export interface ModelWarning {
    /** The input whose value changed. */
    readonly field: "memorySizeInMB" | "processorCount";
    /** hcsshim's log message, verbatim. */
    readonly message: string;
    /** The value the user asked for. */
    readonly requested: number;
    /** The value the VM gets. */
    readonly assigned: number;
}
