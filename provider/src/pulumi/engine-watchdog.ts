import * as net from "node:net";
import { log } from "../log/logger";

/** How often the provider checks that the engine that started it is still there. */
const INTERVAL_MS = 1000;

/**
 * Ends this dynamic-provider process when the Pulumi engine that started it is gone.
 *
 * The Node.js dynamic-provider host is a gRPC server with no tie to the engine: the plugin is started
 * through a shell script, so when the CLI is SIGKILLed the provider is not even reparented, and it
 * keeps running, finishing creates no stack will ever record, and racing the next `pulumi up` for
 * the same VMs. So the provider checks once a second that the engine's gRPC port (the address the
 * engine passed as the plugin's last argument) still accepts connections, and exits when it is
 * refused. Whatever the provider was doing is then left half done in a way the next create
 * recognises and cleans up (uvm/identity.ts, uvm/scratch-claim.ts).
 *
 * Does nothing outside the dynamic-provider host (tests, the CLI), or when no address is found.
 */
export function watchEngine(argv: readonly string[] = process.argv, exit: (code: number) => void = (code) => process.exit(code)): NodeJS.Timeout | undefined {
    const address = engineAddress(argv);
    if (address === undefined) return undefined;
    let checking = false;
    const timer = setInterval(() => {
        if (checking) return;
        checking = true;
        const socket = net.connect({ host: address.host, port: address.port });
        const done = (alive: boolean): void => {
            socket.destroy();
            checking = false;
            if (!alive) {
                log.error({ engine: `${address.host}:${address.port}` }, "the Pulumi engine is gone; the provider exits");
                exit(1);
            }
        };
        socket.setTimeout(INTERVAL_MS * 5, () => done(true)); // a busy engine is not a dead one
        socket.once("connect", () => done(true));
        socket.once("error", (err: NodeJS.ErrnoException) => done(err.code !== "ECONNREFUSED"));
    }, INTERVAL_MS);
    timer.unref();
    return timer;
}

/** The engine address among the plugin's arguments (`127.0.0.1:41235`), when this is the dynamic-provider host. */
export function engineAddress(argv: readonly string[]): { host: string; port: number } | undefined {
    const script = argv[1] ?? "";
    if (!/dynamic-provider/.test(script)) return undefined;
    for (const arg of [...argv.slice(2)].reverse()) {
        const match = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):(\d{1,5})$/.exec(arg);
        if (match) return { host: match[1]!.replace(/^\[|\]$/g, ""), port: Number(match[2]) };
    }
    return undefined;
}
