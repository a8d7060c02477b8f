// The mingw-w64 computecore.dll under Wine, against a Linux service over TCP: winsock,
// GetEnvironmentVariableW, LocalAlloc'd results freed with kernel32's LocalFree, callbacks on a DLL
// thread. Slow (a fresh Wine prefix takes seconds and hundreds of MB), so it runs only when
// PULUMI_HCS_SIM_WINE_TEST=1 and both wine and x86_64-w64-mingw32-gcc exist.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { providerRoot, startSimulatorProcess, type RunningSimulator } from "../../provider/sim/service/launch";

function has(command: string): boolean {
    const r = spawnSync(command, ["--version"], { stdio: "ignore" });
    return r.error === undefined && r.status === 0;
}

const enabled = process.env.PULUMI_HCS_SIM_WINE_TEST === "1" && has("wine") && has("x86_64-w64-mingw32-gcc");
const describeWine = enabled ? describe : describe.skip;

describeWine("computecore.dll under Wine", () => {
    let sim: RunningSimulator;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcssim-wine-"));

    beforeAll(async () => {
        sim = await startSimulatorProcess({ tcp: true });
    });

    afterAll(async () => {
        await sim?.stop();
        spawnSync("wineserver", ["-k"], { env: { ...process.env, WINEPREFIX: path.join(dir, "prefix") } });
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("connects over TCP with the secret from the Windows environment and answers", () => {
        const native = path.join(providerRoot(), "sim", "native");
        const dll = path.join(dir, "computecore.dll");
        const exe = path.join(dir, "harness.exe");
        const build = spawnSync("x86_64-w64-mingw32-gcc", ["-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-o", dll,
            path.join(native, "hcssim.c"), path.join(native, "computecore.def"), "-lws2_32", "-static-libgcc"], { encoding: "utf8" });
        expect(build.stderr).toBe("");
        const harness = spawnSync("x86_64-w64-mingw32-gcc", ["-std=c11", "-municode", "-O1", "-o", exe, path.join(__dirname, "fixtures", "wine-harness.c")], { encoding: "utf8" });
        expect(harness.stderr).toBe("");
        // Wine gives a Linux pipe to a Windows program badly; write to a file.
        const out = path.join(dir, "out.txt");
        const fd = fs.openSync(out, "w");
        const run = spawnSync("wine", [exe, sim.address, sim.secret!], {
            cwd: dir, stdio: ["ignore", fd, "ignore"], timeout: 120000,
            env: { ...process.env, WINEPREFIX: path.join(dir, "prefix"), WINEDEBUG: "-all" },
        });
        fs.closeSync(fd);
        const text = fs.readFileSync(out, "utf8");
        expect(run.status).toBe(0);
        expect(text).toContain(`"Root":"${sim.root}"`);
        expect(text).toMatch(/^enumerate 0x00000000 0x00000000 \[\]$/m);
        expect(text).toContain("callback 1 other-thread");
        expect(text).toContain('"liveStrings":-1');
        expect(text).toContain("wrong-secret 0x8037011b");
    }, 180000);
});
