/**
 * The implementation's options model, `pulumi-hcs-provider/model`: the one place WcowUtilityVm's
 * input rules live, which the provider's check applies and the SDK borrows to report problems as
 * the program declares a VM (declared-problems.ts). It is pure, with no koffi, native binding or
 * file system, and takes about 10 ms to load, so it is loaded when the first VM is declared, never
 * by `import "pulumi-hcs"`.
 */

/** One broken rule: the input (or a path into it) and what is wrong, with the fix. */
export interface InputProblem {
    readonly field: string;
    readonly message: string;
}

/** The part of the model the SDK uses; test/sdk checks it against the model's own types. */
export interface InputModel {
    /** The failures of the known inputs that no value of the unknown ones can change. */
    validateKnownArgs(known: object, unknownInputs: Iterable<string>): readonly InputProblem[];
    /** The failure for a key WcowUtilityVm does not take (a path as screen-args.ts names it). */
    unknownKeyFailure(path: readonly [string, ...(string | number)[]]): InputProblem;
}

/** The model's entry point, as the implementation package exports it. */
export const INPUT_MODEL_ENTRY = "pulumi-hcs-provider/model";

let loaded: { readonly model: InputModel | undefined } | undefined;

/**
 * The model, or undefined when the implementation package is not installed, or is a version
 * without it: then there is nothing to borrow, and the provider's check reports what is wrong
 * (sdk/src/missing-implementation.ts).
 * @throws whatever loading the model throws other than "not found" or "not exported".
 */
export function loadInputModel(): InputModel | undefined {
    loaded ??= { model: requireModel() };
    return loaded.model;
}

function requireModel(): InputModel | undefined {
    let exported: unknown;
    try {
        exported = require(INPUT_MODEL_ENTRY);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
        throw err;
    }
    const model = exported as Partial<InputModel> | undefined;
    return typeof model?.validateKnownArgs === "function" && typeof model.unknownKeyFailure === "function" ? (model as InputModel) : undefined;
}
