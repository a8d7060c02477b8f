/**
 * Where the provider package and the simulator's native library are. Its own module because the
 * provider's simulated host needs the library path in every dynamic-provider process, and the
 * launcher (child processes, control clients) is not needed there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isWindows } from "../../src/platform";

const PACKAGE_NAME = "pulumi-hcs-provider";

/** The provider package's folder, found from this module's location (source or dist). */
export function providerRoot(): string {
    let dir = __dirname;
    for (;;) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest)) {
            try {
                if ((JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
            } catch {
                // keep looking
            }
        }
        const parent = path.dirname(dir);
        if (parent === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package above ${__dirname}`);
        dir = parent;
    }
}

/**
 * The absolute path of the simulator's native library: `sim/native/build/libhcssim.so`, or on
 * Windows (Wine tests) `sim/native/build/win64/computecore.dll`. It may not exist yet: build it with
 * `npm run build -w provider` (or `npm run build:native:win64 -w provider`).
 */
export function simulatorLibraryPath(platform: NodeJS.Platform = isWindows ? "win32" : "linux"): string {
    const build = path.join(providerRoot(), "sim", "native", "build");
    return platform === "win32" ? path.join(build, "win64", "computecore.dll") : path.join(build, "libhcssim.so");
}
