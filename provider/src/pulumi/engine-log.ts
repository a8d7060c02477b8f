import { createRequire } from "node:module";

/** The severities of the engine's `LogRequest` (pulumirpc `LogSeverity`) the provider sends. */
export type EngineSeverity = "info" | "warning";

/** One diagnostic for the engine to show: under the resource with `urn`, or under the stack without. */
export interface EngineDiagnostic {
    readonly severity: EngineSeverity;
    readonly message: string;
    readonly urn?: string | undefined;
}

/** Sends diagnostics to the Pulumi engine that started this provider. */
export interface EngineLog {
    /** @throws Error (rejects) when the engine does not take it: unreachable, or gone. */
    send(diagnostic: EngineDiagnostic): Promise<void>;
    close(): void;
}

/** pulumirpc `LogSeverity` numbers (proto/engine_pb.d.ts). */
const SEVERITY_NUMBERS: Readonly<Record<EngineSeverity, number>> = { info: 1, warning: 2 };

/** The engine's answer must come quickly: a diagnostic is never worth holding a provider call up. */
const DEADLINE_MS = 5000;

interface EngineModules {
    readonly grpc: typeof import("@grpc/grpc-js");
    readonly engineGrpc: typeof import("@pulumi/pulumi/proto/engine_grpc_pb");
    readonly engineProto: typeof import("@pulumi/pulumi/proto/engine_pb");
}

/**
 * A client of the engine's `pulumirpc.Engine` service (its `Log` method: the one through which
 * providers attach diagnostics to a resource) at `address`, the engine address the host was started
 * with. The gRPC modules are loaded from the `@pulumi/pulumi` that runs this host (`hostScript`,
 * its `cmd/dynamic-provider/index.js`), so client and host speak the same protocol version, and
 * only once a diagnostic is sent: most provider processes never send one.
 */
export function engineLog(address: { host: string; port: number }, hostScript: string): EngineLog {
    let client: InstanceType<EngineModules["engineGrpc"]["EngineClient"]> | undefined;
    let modules: EngineModules | undefined;
    return {
        send(diagnostic) {
            return new Promise<void>((resolve, reject) => {
                try {
                    modules ??= loadEngineModules(hostScript);
                    client ??= new modules.engineGrpc.EngineClient(`${address.host}:${address.port}`, modules.grpc.credentials.createInsecure());
                    const request = new modules.engineProto.LogRequest();
                    request.setSeverity(SEVERITY_NUMBERS[diagnostic.severity] as never);
                    request.setMessage(diagnostic.message);
                    request.setUrn(diagnostic.urn ?? "");
                    client.log(request, new modules.grpc.Metadata(), { deadline: Date.now() + DEADLINE_MS }, (err) => (err ? reject(err) : resolve()));
                } catch (err) {
                    reject(err as Error);
                }
            });
        },
        close() {
            client?.close();
        },
    };
}

function loadEngineModules(hostScript: string): EngineModules {
    // The script may be named by its folder (`node .../cmd/dynamic-provider`): resolve it to its file.
    const requireFromHost = createRequire(require.resolve(hostScript));
    return {
        grpc: requireFromHost("@grpc/grpc-js") as EngineModules["grpc"],
        engineGrpc: requireFromHost("../../proto/engine_grpc_pb") as EngineModules["engineGrpc"],
        engineProto: requireFromHost("../../proto/engine_pb") as EngineModules["engineProto"],
    };
}
