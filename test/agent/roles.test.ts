/**
 * The agent's roles (provider/src/agent/roles.ts): what each role may call, how the roles file is
 * read and refused, and how a client certificate finds its role (fingerprint first, then common name,
 * the higher role when listed twice).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { allows, METHOD_ROLES, type Role, RoleTable } from "../../provider/src/agent/roles";

const AGENT = "/pulumi_hcs.agent.v1.HostAgent";
const READS = [`${AGENT}/GetAgentInfo`, `${AGENT}/ListVms`, `${AGENT}/GetVm`, `${AGENT}/WatchVms`, "/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"];
const CHANGES = [`${AGENT}/CreateVm`, `${AGENT}/UpdateVm`, `${AGENT}/DeleteVm`];
const DRAIN = `${AGENT}/Drain`;

/** Fingerprints as Node prints them (upper-case hex, colons). */
const FINGERPRINT_A = Array.from({ length: 32 }, (_, i) => (i * 7 % 256).toString(16).padStart(2, "0").toUpperCase()).join(":");
const FINGERPRINT_B = Array.from({ length: 32 }, (_, i) => ((i * 13 + 5) % 256).toString(16).padStart(2, "0").toUpperCase()).join(":");

describe("allows", () => {
    it("lets each role call its methods and those of the roles below it, and nothing more", () => {
        const may = (role: Role) => Object.keys(METHOD_ROLES).filter((method) => allows(role, method)).sort();
        expect(may("reader")).toEqual([...READS].sort());
        expect(may("operator")).toEqual([...READS, ...CHANGES].sort());
        expect(may("admin")).toEqual([...READS, ...CHANGES, DRAIN].sort());
    });

    it("refuses everything to a client without a role", () => {
        for (const method of Object.keys(METHOD_ROLES)) expect(allows(undefined, method)).toBe(false);
    });

    it("refuses a method it does not list, even to an admin (deny by default)", () => {
        expect(allows("admin", `${AGENT}/DeleteEverything`)).toBe(false);
        expect(allows("admin", "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")).toBe(false);
        // Full method names only: a bare name is not a method.
        expect(allows("admin", "CreateVm")).toBe(false);
    });
});

describe("RoleTable.from", () => {
    it.each([
        ["null", null],
        ["an array", [["operator-1"]]],
        ["a string", "operator-1"],
    ])("refuses %s, naming the source and the expected shape", (_name, value) => {
        expect(() => RoleTable.from(value, "/etc/agent/roles.json")).toThrow('/etc/agent/roles.json: expected an object like {"operator": ["ci-runner-1"]}');
    });

    it("refuses an unknown role, listing the roles", () => {
        expect(() => RoleTable.from({ superuser: ["ops"] })).toThrow('roles: unknown role "superuser"; roles are reader, operator, admin');
        // Role names are exact: "Admin" is not admin.
        expect(() => RoleTable.from({ Admin: ["ops"] })).toThrow('unknown role "Admin"');
    });

    it.each([
        ["a name instead of a list", { operator: "ci-runner-1" }],
        ["a number in the list", { operator: ["ci-runner-1", 7] }],
        ["an empty name", { reader: [""] }],
        ["a blank name", { reader: ["  "] }],
    ])("refuses %s", (_name, value) => {
        expect(() => RoleTable.from(value)).toThrow(/^roles: (operator|reader) must be a list of certificate names \(common names, or sha256:<fingerprint>\)$/);
    });

    it.each([["sha256:AB:CD"], ["sha256:" + "G".repeat(64)], ["sha256:" + "A".repeat(63)]])("refuses the malformed fingerprint %p", (pin) => {
        expect(() => RoleTable.from({ operator: [pin] })).toThrow(`roles: ${JSON.stringify(pin)} is not a SHA-256 fingerprint (64 hex digits`);
    });

    it("takes an empty file's object: nobody holds a role", () => {
        const table = RoleTable.from({});
        expect(table.size).toBe(0);
        expect(table.roleOf({ commonName: "operator-1", fingerprint256: FINGERPRINT_A })).toBeUndefined();
    });
});

describe("RoleTable.load", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hcs-roles-"));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads the file", () => {
        const file = path.join(dir, "roles.json");
        fs.writeFileSync(file, JSON.stringify({ operator: ["ci-runner-1"] }));
        expect(RoleTable.load(file).roleOf({ commonName: "ci-runner-1", fingerprint256: FINGERPRINT_A })).toBe("operator");
    });

    it("names the file when it is missing or not JSON", () => {
        const missing = path.join(dir, "missing.json");
        expect(() => RoleTable.load(missing)).toThrow(`Cannot read the roles file ${missing}: ENOENT`);
        const broken = path.join(dir, "broken.json");
        fs.writeFileSync(broken, '{"operator": ["ci-runner-1"');
        expect(() => RoleTable.load(broken)).toThrow(`Cannot read the roles file ${broken}: `);
    });

    it("names the file when its content is wrong", () => {
        const file = path.join(dir, "wrong.json");
        fs.writeFileSync(file, JSON.stringify({ root: ["ops"] }));
        expect(() => RoleTable.load(file)).toThrow(`${file}: unknown role "root"`);
    });
});

describe("RoleTable.roleOf", () => {
    it("finds a common name exactly (case and all)", () => {
        const table = RoleTable.from({ operator: ["ci-runner-1"] });
        expect(table.roleOf({ commonName: "ci-runner-1", fingerprint256: FINGERPRINT_A })).toBe("operator");
        expect(table.roleOf({ commonName: "CI-Runner-1", fingerprint256: FINGERPRINT_A })).toBeUndefined();
        expect(table.roleOf({ commonName: "ci-runner-10", fingerprint256: FINGERPRINT_A })).toBeUndefined();
        expect(table.roleOf({ commonName: undefined, fingerprint256: FINGERPRINT_A })).toBeUndefined();
    });

    it("finds a fingerprint however the file spells it (case, colons, spaces around)", () => {
        const bare = FINGERPRINT_A.replace(/:/g, "");
        for (const spelling of [`sha256:${FINGERPRINT_A}`, `SHA256:${FINGERPRINT_A.toLowerCase()}`, `sha256:${bare.toLowerCase()}`, `  sha256:${bare}  `]) {
            const table = RoleTable.from({ reader: [spelling] });
            expect(table.roleOf({ commonName: undefined, fingerprint256: FINGERPRINT_A })).toBe("reader");
            expect(table.roleOf({ commonName: "anyone", fingerprint256: FINGERPRINT_B })).toBeUndefined();
        }
    });

    it("takes the fingerprint's entry before the common name's, even when it is the lower role", () => {
        const table = RoleTable.from({ admin: ["ops"], reader: [`sha256:${FINGERPRINT_A}`] });
        expect(table.roleOf({ commonName: "ops", fingerprint256: FINGERPRINT_A })).toBe("reader");
        expect(table.roleOf({ commonName: "ops", fingerprint256: FINGERPRINT_B })).toBe("admin");
    });

    it("gives the higher role to an identity listed under two, whatever the order", () => {
        for (const file of [{ reader: ["ops"], admin: ["ops"] }, { admin: ["ops"], reader: ["ops"] }, { operator: ["ops"], reader: ["ops"] }]) {
            const expected = "admin" in file ? "admin" : "operator";
            expect(RoleTable.from(file).roleOf({ commonName: "ops", fingerprint256: FINGERPRINT_A })).toBe(expected);
        }
        // Two spellings of one fingerprint are one identity.
        const table = RoleTable.from({ operator: [`sha256:${FINGERPRINT_A}`], reader: [`sha256:${FINGERPRINT_A.replace(/:/g, "").toLowerCase()}`] });
        expect(table.size).toBe(1);
        expect(table.roleOf({ commonName: undefined, fingerprint256: FINGERPRINT_A })).toBe("operator");
    });

    it("does not let a common name spelled like a fingerprint entry take that certificate's role", () => {
        // `sha256:<fingerprint>` names one certificate exactly; another certificate whose subject is
        // that text must not borrow the role. (At 71 characters it exceeds RFC 5280's 64 for a common
        // name, which OpenSSL will not issue, but not every CA enforces that bound.)
        const pinned = `sha256:${FINGERPRINT_A.replace(/:/g, "")}`;
        const table = RoleTable.from({ admin: [pinned] });
        expect(table.roleOf({ commonName: pinned, fingerprint256: FINGERPRINT_B })).toBeUndefined();
        expect(table.roleOf({ commonName: `sha256:${FINGERPRINT_A}`, fingerprint256: FINGERPRINT_B })).toBeUndefined();
        expect(table.roleOf({ commonName: pinned, fingerprint256: FINGERPRINT_A })).toBe("admin");
    });
});
