// The simulated host's identity (`<root>/host-id`): made once per root, then only read, so it
// outlives service restarts and is the same whichever socket or port a client comes through.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { HOST_ID_FILE, loadOrCreateHostId } from "../../provider/sim/service/host-store";

let root: string;

beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-host-id-"));
});

afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
});

describe("loadOrCreateHostId", () => {
    it("makes a random v4 GUID on a fresh root, and returns the same one after", () => {
        const id = loadOrCreateHostId(root);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(loadOrCreateHostId(root)).toBe(id);
        expect(fs.readFileSync(path.join(root, HOST_ID_FILE), "utf8")).toBe(`${id}\n`);
        expect(fs.readdirSync(root)).toEqual([HOST_ID_FILE]);
    });

    it("gives two roots two IDs", () => {
        const other = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-host-id-"));
        try {
            expect(loadOrCreateHostId(other)).not.toBe(loadOrCreateHostId(root));
        } finally {
            fs.rmSync(other, { recursive: true, force: true });
        }
    });

    it("keeps an ID another service wrote first", () => {
        fs.writeFileSync(path.join(root, HOST_ID_FILE), "0f9a2c5e-1b7d-4e3a-9c4f-8d2e6b1a7c30\n");
        expect(loadOrCreateHostId(root)).toBe("0f9a2c5e-1b7d-4e3a-9c4f-8d2e6b1a7c30");
    });

    it("refuses a host-id file that is not a GUID, rather than report a made-up identity", () => {
        fs.writeFileSync(path.join(root, HOST_ID_FILE), "my-host\n");
        expect(() => loadOrCreateHostId(root)).toThrow(`Cannot read the simulated host's ID from ${path.join(root, HOST_ID_FILE)}: expected a lowercase GUID, got "my-host"`);
    });
});
