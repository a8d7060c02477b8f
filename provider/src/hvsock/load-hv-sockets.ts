import type { HvSockets } from "./hv-socket";

/**
 * {@link import("./hv-socket").hvSockets}, with the Hyper-V socket modules (their Winsock prototypes
 * among them) loaded on the first call: only a create or an update that starts a VM listens for its
 * guest, and a refresh, destroy or preview process should not pay for loading them.
 */
export function loadHvSockets(simulatorLibrary?: string): HvSockets {
    const { hvSockets } = require("./hv-socket") as typeof import("./hv-socket"); // eslint-disable-line @typescript-eslint/no-require-imports
    return hvSockets(simulatorLibrary);
}
