/**
 * The host agent startTestHost puts in front of each simulator in the engine suite's agent run
 * (agent-mode.ts): all of a process's agents share one PKI, and the operator's client credentials
 * are in this process's environment while any of them runs.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTestAgent, type TestAgent } from "./agent";
import { createPki, type CertFiles, type Pki } from "./pki";

/**
 * One PKI for the agents running at once: a test with two hosts has two agents, and the CLI holds one
 * set of client credentials, so both must trust the same CA and accept the same client. Made with the
 * first agent, removed with the last.
 */
let shared: { readonly pki: Pki; readonly serverCert: CertFiles } | undefined;

function sharedPki(): { readonly pki: Pki; readonly serverCert: CertFiles } {
    if (shared === undefined) {
        const pki = createPki(fs.mkdtempSync(path.join(os.tmpdir(), "hcs-agent-pki-")));
        shared = { pki, serverCert: pki.server({ name: "agent" }) };
    }
    return shared;
}

/** The agents running now: the credentials stay in the environment while any does. */
let running = 0;
let savedEnv: NodeJS.ProcessEnv = {};

/**
 * A host agent in front of `simHostName` (with `env` besides this process's environment), its
 * operator's client credentials put in this process's environment.
 */
export async function startAgentInFront(simHostName: string, env: NodeJS.ProcessEnv = {}): Promise<{ readonly agent: TestAgent; stop(): Promise<void> }> {
    const { pki, serverCert } = sharedPki();
    // Port 0: a port of its own (the shared PKI and server certificate are what is reused).
    const agent = await startTestAgent({ host: simHostName, env }, { pki, serverCert, port: 0 });
    const credentials = agent.clientEnv();
    if (running++ === 0) {
        savedEnv = Object.fromEntries(Object.keys(credentials).map((name) => [name, process.env[name]]));
        Object.assign(process.env, credentials);
    }
    let stopped = false;
    return {
        agent,
        stop: async () => {
            if (stopped) return;
            stopped = true;
            await agent.stop();
            fs.rmSync(agent.dir, { recursive: true, force: true });
            if (--running === 0) {
                for (const [name, value] of Object.entries(savedEnv)) {
                    if (value === undefined) delete process.env[name];
                    else process.env[name] = value;
                }
                fs.rmSync(pki.dir, { recursive: true, force: true });
                shared = undefined;
            }
        },
    };
}
