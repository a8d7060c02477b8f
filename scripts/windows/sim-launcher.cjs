// The Linux side of the Windows test run: a simulator launcher (provider/sim/service/sim-launcher.ts)
// that starts Linux simulators for the tests running in node.exe under Wine. scripts/test-windows.sh
// starts it with the Linux node, reads the ready line, and gives node.exe PULUMI_HCS_SIM_LAUNCHER and
// PULUMI_HCS_SIM_LAUNCHER_SECRET (which it also reads from here).
//
//   node scripts/windows/sim-launcher.cjs [--parent-pid PID]
//
// Prints {"address":"tcp:127.0.0.1:<port>","pid":<pid>} on stdout once it listens; logs to stderr.
// Stops its simulators and exits on SIGTERM or SIGINT, or once the parent process is gone (so a
// killed test run leaves no simulator behind). Needs the built provider (npx tsc -b provider).
"use strict";
const path = require("node:path");

const dist = path.resolve(__dirname, "..", "..", "provider", "dist");
const { serveSimulatorLauncher } = require(path.join(dist, "sim", "service", "sim-launcher.js"));
const { log } = require(path.join(dist, "src", "log", "logger.js"));

async function main() {
    const at = process.argv.indexOf("--parent-pid");
    const parentPid = at >= 0 ? Number(process.argv[at + 1]) : undefined;
    const launcher = await serveSimulatorLauncher({ secret: process.env.PULUMI_HCS_SIM_LAUNCHER_SECRET, log: log.child({ component: "sim-launcher" }) });
    // The secret stays out of the ready line: whoever started us chose it.
    process.stdout.write(`${JSON.stringify({ address: launcher.address, pid: process.pid })}\n`);

    let stopping = false;
    const stop = (why) => {
        if (stopping) return;
        stopping = true;
        log.info({ why, running: launcher.running }, "simulator launcher stopping");
        launcher.close().then(() => process.exit(0), (err) => {
            process.stderr.write(`sim-launcher: ${err && err.stack ? err.stack : err}\n`);
            process.exit(1);
        });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
    if (parentPid !== undefined) {
        setInterval(() => {
            try {
                process.kill(parentPid, 0);
            } catch {
                stop(`parent ${parentPid} is gone`);
            }
        }, 1000).unref();
    }
}

main().catch((err) => {
    process.stderr.write(`sim-launcher: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
});
