import { readFileSync } from "node:fs";

/** What a client may do, each role including the one before it (deny by default: no role, nothing). */
export const ROLES = ["reader", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** The least role each method needs. A method not listed here is refused to everyone. */
export const METHOD_ROLES: Readonly<Record<string, Role>> = {
    "/pulumi_hcs.agent.v1.HostAgent/GetAgentInfo": "reader",
    "/pulumi_hcs.agent.v1.HostAgent/ListVms": "reader",
    "/pulumi_hcs.agent.v1.HostAgent/GetVm": "reader",
    "/pulumi_hcs.agent.v1.HostAgent/WatchVms": "reader",
    "/grpc.health.v1.Health/Check": "reader",
    "/grpc.health.v1.Health/Watch": "reader",
    "/pulumi_hcs.agent.v1.HostAgent/CreateVm": "operator",
    "/pulumi_hcs.agent.v1.HostAgent/UpdateVm": "operator",
    "/pulumi_hcs.agent.v1.HostAgent/DeleteVm": "operator",
    "/pulumi_hcs.agent.v1.HostAgent/Drain": "admin",
};

/** Whether `role` may call `method`. */
export function allows(role: Role | undefined, method: string): boolean {
    const needed = METHOD_ROLES[method];
    if (role === undefined || needed === undefined) return false;
    return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/**
 * Who holds which role. A client is named by its certificate: the subject's common name
 * (`ci-runner-1`), or `sha256:<fingerprint>` for one certificate exactly. The roles file is JSON:
 * `{ "admin": ["ops"], "operator": ["ci-runner-1"], "reader": ["sha256:AB:CD:…"] }`.
 */
export class RoleTable {
    private constructor(private readonly byIdentity: ReadonlyMap<string, Role>) {}

    /** @throws Error naming the file and what is wrong with it. */
    static load(file: string): RoleTable {
        let parsed: unknown;
        try {
            parsed = JSON.parse(readFileSync(file, "utf8"));
        } catch (err) {
            throw new Error(`Cannot read the roles file ${file}: ${(err as Error).message}`);
        }
        return RoleTable.from(parsed, file);
    }

    /** @throws Error naming `source` and what is wrong. */
    static from(value: unknown, source = "roles"): RoleTable {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            throw new Error(`${source}: expected an object like {"operator": ["ci-runner-1"]}`);
        }
        const byIdentity = new Map<string, Role>();
        for (const [role, identities] of Object.entries(value)) {
            if (!(ROLES as readonly string[]).includes(role)) throw new Error(`${source}: unknown role ${JSON.stringify(role)}; roles are ${ROLES.join(", ")}`);
            if (!Array.isArray(identities) || identities.some((i) => typeof i !== "string" || i.trim() === "")) {
                throw new Error(`${source}: ${role} must be a list of certificate names (common names, or sha256:<fingerprint>)`);
            }
            for (const identity of identities as string[]) {
                const key = normalizeIdentity(identity);
                if (FINGERPRINT_FORM.test(key) && !/^sha256:[0-9A-F]{64}$/.test(key)) {
                    throw new Error(`${source}: ${JSON.stringify(identity)} is not a SHA-256 fingerprint (64 hex digits, colons allowed, as openssl x509 -fingerprint -sha256 prints it)`);
                }
                const earlier = byIdentity.get(key);
                // Listed twice: the higher role counts, so the file reads as "at least".
                if (earlier === undefined || ROLES.indexOf(role as Role) > ROLES.indexOf(earlier)) byIdentity.set(key, role as Role);
            }
        }
        return new RoleTable(byIdentity);
    }

    /**
     * The role of a client certificate: its fingerprint's entry first, then its common name's. A common
     * name spelled `sha256:…` is never looked up: it would match the entry that pins another certificate.
     */
    roleOf(peer: { readonly commonName: string | undefined; readonly fingerprint256: string }): Role | undefined {
        return this.byIdentity.get(normalizeIdentity(`sha256:${peer.fingerprint256}`)) ??
            (peer.commonName !== undefined && !FINGERPRINT_FORM.test(peer.commonName.trim()) ? this.byIdentity.get(peer.commonName) : undefined);
    }

    get size(): number {
        return this.byIdentity.size;
    }
}

/** How the roles file names one certificate by its fingerprint rather than by its common name. */
const FINGERPRINT_FORM = /^sha256:/i;

/** Fingerprints compare without colons or case; names exactly. */
function normalizeIdentity(identity: string): string {
    const trimmed = identity.trim();
    return FINGERPRINT_FORM.test(trimmed) ? `sha256:${trimmed.slice(7).replace(/:/g, "").toUpperCase()}` : trimmed;
}
