/**
 * One thing wrong with the inputs, in the shape of Pulumi's `CheckFailure` (`property`, `reason`).
 * `field` is the input name, or a path into it (`layerFolders[1]`, `timeouts.create`); `message`
 * says the rule, the value and the fix, with hcsshim's text verbatim inside where hcsshim has one.
 */
export interface ValidationFailure {
    readonly field: string;
    readonly message: string;
}

/** The input a failure belongs to: `layerFolders[1]` → `layerFolders`, `timeouts.create` → `timeouts`. */
export function failureInput(failure: ValidationFailure): string {
    return /^[^[.]*/.exec(failure.field)?.[0] ?? failure.field;
}

/** A failure as one line of text: `field: message`. */
export function formatFailure(failure: ValidationFailure): string {
    return `${failure.field}: ${failure.message}`;
}
