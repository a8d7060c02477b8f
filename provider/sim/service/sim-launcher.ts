/**
 * The simulator launcher: a small service that starts, crashes, restarts, stops and controls
 * simulators on behalf of processes that cannot run one themselves (the protocol and the why are in
 * `sim-launcher-client.ts`). scripts/test-windows.sh runs it on the Linux side
 * (scripts/windows/sim-launcher.cjs) for the Windows node.exe under Wine.
 *
 * It listens on 127.0.0.1 only and answers only requests that carry its secret (compared in
 * constant time, as the service compares its TCP secret).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import * as net from "node:net";
import type { Logger } from "../../src/log/logger";
import { startLocalSimulatorProcess, type RunningSimulator } from "./launch";
import type { LaunchedSimulator, LauncherRequest } from "./sim-launcher-client";
import { onLines } from "./json-lines";

export interface SimulatorLauncherOptions {
    /** The TCP port on 127.0.0.1. @default 0 (a free one) */
    readonly port?: number;
    /** The secret every request must carry. @default a fresh random one */
    readonly secret?: string;
    readonly log?: Logger;
}

export interface SimulatorLauncher {
    /** `tcp:127.0.0.1:<port>`, the value for PULUMI_HCS_SIM_LAUNCHER. */
    readonly address: string;
    readonly secret: string;
    /** How many simulators run now. */
    readonly running: number;
    /** Stops listening and stops every simulator it started. */
    close(): Promise<void>;
}

function digest(text: string): Buffer {
    return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Starts a launcher and resolves once it listens.
 * @throws Error when it cannot listen.
 */
export async function serveSimulatorLauncher(options: SimulatorLauncherOptions = {}): Promise<SimulatorLauncher> {
    const secret = options.secret || randomBytes(32).toString("hex");
    const expected = digest(secret);
    const sims = new Map<number, RunningSimulator>();
    let nextSim = 1;

    const get = (id: unknown): RunningSimulator => {
        const sim = typeof id === "number" ? sims.get(id) : undefined;
        if (!sim) throw new Error(`Cannot find simulator ${JSON.stringify(id)}: the launcher started no such simulator, or it was stopped`);
        return sim;
    };
    const stopSim = async (id: number): Promise<void> => {
        const sim = sims.get(id);
        if (!sim) return;
        sims.delete(id);
        await sim.stop();
    };

    /** Handles one request; a `start` ties the simulator's life to `socket`. */
    const handle = async (req: LauncherRequest, socket: net.Socket): Promise<unknown> => {
        switch (req.cmd) {
            case "start": {
                const o = req.options ?? {};
                const sim = await startLocalSimulatorProcess({
                    logicalProcessors: o.logicalProcessors,
                    build: o.build,
                    guestBootDelayMs: o.guestBootDelayMs,
                    readyTimeoutMs: o.readyTimeoutMs,
                    env: o.env,
                    // A Windows client's simulator library speaks TCP only.
                    tcp: true,
                });
                const id = nextSim++;
                sims.set(id, sim);
                socket.once("close", () => void stopSim(id).catch((err: unknown) => options.log?.warn({ sim: id, err }, "could not stop a simulator whose client went away")));
                options.log?.info({ sim: id, root: sim.root, address: sim.address }, "started a simulator");
                const launched: LaunchedSimulator = { sim: id, address: sim.address, secret: sim.secret!, ready: sim.ready };
                return launched;
            }
            case "stop":
                get(req.sim);
                await stopSim(req.sim);
                return { stopped: req.sim };
            case "crash":
                await get(req.sim).crash();
                return { crashed: req.sim };
            case "restart": {
                const sim = get(req.sim);
                await sim.restart();
                return { ready: sim.ready };
            }
            case "control":
                return (await get(req.sim).control.request(req.request, req.timeoutMs)) ?? null;
        }
        throw new Error(`Unknown launcher request ${JSON.stringify((req as { cmd?: unknown }).cmd)}`);
    };

    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
        const answer = (response: unknown) => {
            if (!socket.destroyed) socket.write(`${JSON.stringify(response)}\n`);
        };
        onLines(socket, (line) => {
            let req: LauncherRequest & { id?: unknown; secret?: unknown };
            try {
                req = JSON.parse(line) as typeof req;
            } catch (err) {
                answer({ id: 0, ok: false, error: `The simulator launcher cannot read the request: ${(err as Error).message}` });
                socket.end();
                return false;
            }
            const id = typeof req.id === "number" ? req.id : 0;
            const given = typeof req.secret === "string" ? req.secret : "";
            if (!timingSafeEqual(digest(given), expected)) {
                options.log?.warn({ remote: socket.remotePort }, "refused a launcher request without the right secret");
                answer({ id, ok: false, error: "The simulator launcher refused the request: wrong or missing secret (set PULUMI_HCS_SIM_LAUNCHER_SECRET)" });
                socket.end();
                return false;
            }
            handle(req, socket).then(
                (result) => answer({ id, ok: true, result: result ?? null }),
                (err: unknown) => answer({ id, ok: false, error: (err as Error).message }),
            );
            return true;
        });
        socket.on("error", () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;

    return {
        address: `tcp:127.0.0.1:${port}`,
        secret,
        get running() {
            return sims.size;
        },
        async close() {
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            await Promise.all([...sims.keys()].map((id) => stopSim(id).catch(() => undefined)));
            // Sessions of clients still running would hold the server open.
            for (const socket of sockets) socket.destroy();
            await closed;
        },
    };
}
