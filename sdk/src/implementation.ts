/**
 * Finding the implementation package, `pulumi-hcs-provider`, from the SDK. It is the SDK's own
 * dependency, so it is resolved from the SDK's folder, the way Node resolves any dependency: npm may
 * hoist it into the program's `node_modules` or nest it under the SDK, and both are found. Resolving
 * from the program's folder instead (what the serialized provider did before it went through
 * `pulumi-hcs/dynamic`) finds only a hoisted copy, and an SDK linked from elsewhere finds none.
 */
import fs from "node:fs";
import path from "node:path";

/** The implementation package's name. */
export const IMPLEMENTATION_PACKAGE = "pulumi-hcs-provider";

/** Its dynamic-provider entry point: the module whose exports are the provider's methods. */
export const IMPLEMENTATION_ENTRY = `${IMPLEMENTATION_PACKAGE}/dynamic`;

/** Where the implementation is, or why it cannot be used. */
export type ImplementationLookup =
    | { readonly found: true; readonly entry: string }
    | { readonly found: false; readonly problem: string };

/**
 * Resolves the implementation's entry point from the SDK.
 * @returns the entry's path, or a one-line problem naming the package and the command that fixes it.
 * @throws whatever Node's resolution throws other than "not found" or "not exported" (a malformed
 *   package.json), and Error when the SDK's own package.json names no implementation version.
 */
export function findImplementation(): ImplementationLookup {
    const entry = resolveOrUndefined(IMPLEMENTATION_ENTRY);
    if (entry !== undefined) return { found: true, entry };
    const manifest = resolveOrUndefined(`${IMPLEMENTATION_PACKAGE}/package.json`);
    if (manifest !== undefined) {
        // The package is there without that entry: a clone that was never built, or a version from
        // before `dynamic` was exported.
        return {
            found: false,
            problem: `pulumi-hcs: the implementation package ${IMPLEMENTATION_PACKAGE} at ${path.dirname(manifest)} ` +
                `(version ${versionOf(manifest)}) has no loadable ${IMPLEMENTATION_ENTRY}: build it (\`npm run build\` in that ` +
                `folder) or install the version this SDK needs with \`${installCommand()}\``,
        };
    }
    return {
        found: false,
        problem: `pulumi-hcs: the implementation package ${IMPLEMENTATION_PACKAGE} is not installed: ` +
            `install it into this program with \`${installCommand()}\` (from a clone: the ` +
            `${IMPLEMENTATION_PACKAGE}-${requiredVersion()}.tgz that scripts/pack.sh makes)`,
    };
}

/** The version of the implementation this SDK depends on, from its package.json. */
export function requiredVersion(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
    };
    const version = manifest.dependencies?.[IMPLEMENTATION_PACKAGE];
    if (version === undefined) throw new Error(`pulumi-hcs: its package.json does not name a ${IMPLEMENTATION_PACKAGE} dependency`);
    return version;
}

function versionOf(manifest: string): string {
    try {
        return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: string }).version ?? "unknown";
    } catch {
        return "unknown";
    }
}

function installCommand(): string {
    return `npm install ${IMPLEMENTATION_PACKAGE}@${requiredVersion()}`;
}

function resolveOrUndefined(request: string): string | undefined {
    try {
        return require.resolve(request);
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
        throw err;
    }
}
