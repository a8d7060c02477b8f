/**
 * The classes the JavaScript runtime throws for mistakes in code: a property of undefined, a name
 * that does not exist, a value no validation should have let through (our own RangeErrors guard
 * against inputs `check` already refuses). Everything else the provider throws is a failure of the
 * world it works in (HCS refused a call, a host cannot be reached, a file is missing, an input
 * breaks a rule), and its message says all there is to say.
 */
const BUG_CLASSES: readonly (new (...args: never[]) => Error)[] = [TypeError, ReferenceError, SyntaxError, RangeError, EvalError, URIError];

/** Node's `assert` failures (`AssertionError`, code `ERR_ASSERTION`): a broken invariant of ours. */
const ASSERTION_CODE = "ERR_ASSERTION";

/**
 * Whether `err` is an expected failure: an Error that neither is, nor was caused by, a bug
 * (BUG_CLASSES, a failed assertion, or a thrown value that is not an Error). For an expected failure
 * a JavaScript stack trace points at the provider's code instead of at the problem, so the Pulumi
 * layer says its message once and shows no frames (host-error-echo.ts); a bug keeps its stack.
 * The whole `cause` chain counts: a UvmStepError whose step hit a TypeError is a bug.
 */
export function isExpectedFailure(err: unknown): boolean {
    if (!(err instanceof Error)) return false;
    const seen = new Set<Error>();
    for (let current: unknown = err; current instanceof Error && !seen.has(current); current = current.cause) {
        seen.add(current);
        if (isBug(current)) return false;
    }
    return true;
}

function isBug(err: Error): boolean {
    return BUG_CLASSES.some((bug) => err instanceof bug) || (err as NodeJS.ErrnoException).code === ASSERTION_CODE;
}
