/**
 * Pulumi unit-test mocks for the example programs: records every resource the program registers
 * and answers like the provider would (inputs echoed as outputs, plus a runtime ID and a state).
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

export function useMocks(project: string, config: Record<string, string> = {}): Registered[] {
    const registered: Registered[] = [];
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project}:${k}`, v])));
    void pulumi.runtime.setMocks({
        newResource(args) {
            registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
            if (args.type === "random:index/randomUuid:RandomUuid") {
                return { id: "uuid-id", state: { ...args.inputs, result: "3b241101-e2bb-4255-8caf-4136c566a962" } };
            }
            const id = (args.inputs.computeSystemId as string | undefined) ?? `${args.name}-generated-id`;
            return {
                id,
                state: { ...args.inputs, computeSystemId: id, runtimeId: `runtime-of-${args.name}`, state: "Running" },
            };
        },
        call: (args) => args.inputs,
    }, project, "test", false);
    return registered;
}

/** Resolves an Output in a test (mocks resolve outputs without an engine). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}
