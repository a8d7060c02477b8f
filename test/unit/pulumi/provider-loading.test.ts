/**
 * Every Pulumi command starts a new dynamic-provider process, which loads the provider module; a
 * refresh or destroy calls only read, diff and delete. So check, create and update (the options
 * model's rules, the document builder, the guest connection, Hyper-V sockets) load on first use
 * (provider.ts, direct-vm-host.ts, load-hv-sockets.ts). This runs the compiled provider in a fresh
 * Node process, as the engine does, and looks at what it loaded.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

const PROVIDER = path.resolve(__dirname, "../../../provider/dist/src/pulumi/provider.js");

/** Modules of the provider's own tree that `script` (run after requiring it as `provider`) leaves loaded, as paths under dist/src. */
function loadedAfter(script: string): string[] {
    const list = 'Object.keys(require.cache).filter((f) => f.includes("dist" + require("path").sep + "src")).map((f) => f.split("dist" + require("path").sep + "src" + require("path").sep)[1].split(require("path").sep).join("/"))';
    const program = `const provider = require(${JSON.stringify(PROVIDER)}); (async () => { ${script} })().then(() => console.log(JSON.stringify(${list})), (e) => { console.error(e); process.exit(1); });`;
    const env = { ...process.env };
    delete env.PULUMI_HCS_HOST;
    const result = spawnSync(process.execPath, ["-e", program], { env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
    return JSON.parse(result.stdout) as string[];
}

const CREATE_AND_UPDATE = ["uvm/create.js", "uvm/update.js", "uvm/start-utility-vm.js", "document/build-document.js", "gcs/bridge.js", "hvsock/hv-socket.js"];
const CHECK = ["pulumi/check.js", "model/validate.js", "model/resolve.js"];

describe("the provider module", () => {
    it("loads what read, diff and delete need, and not check, create or update", () => {
        const loaded = loadedAfter("");
        expect(loaded).toEqual(expect.arrayContaining(["pulumi/read.js", "pulumi/diff.js", "pulumi/delete.js", "uvm/refresh.js", "uvm/delete.js", "hcs/compute-system.js"]));
        for (const module of [...CREATE_AND_UPDATE, ...CHECK, "pulumi/create.js", "pulumi/update.js"]) expect(loaded).not.toContain(module);
    });

    it("loads check's modules on the first check, and still not create's", () => {
        // No host anywhere: check fails on `host` without contacting one, but it had to load to say so.
        const loaded = loadedAfter(`const result = await provider.check({}, { layerFolders: ["C:\\\\layers\\\\base", "C:\\\\uvms\\\\a"] }); if (!result.failures || result.failures[0].property !== "host") throw new Error(JSON.stringify(result));`);
        expect(loaded).toEqual(expect.arrayContaining(CHECK));
        for (const module of CREATE_AND_UPDATE) expect(loaded).not.toContain(module);
    });

    it("loads create's modules on the first create", () => {
        const loaded = loadedAfter(`await provider.create({ layerFolders: ["C:\\\\layers\\\\base", "C:\\\\uvms\\\\a"], host: "sim:/nonexistent/hcs.sock" }).catch(() => undefined);`);
        expect(loaded).toEqual(expect.arrayContaining(["pulumi/create.js"]));
    });
});
