import { status } from "@grpc/grpc-js";

/** A refusal the agent answers with a specific gRPC status (the client maps the code to the cause). */
export class AgentError extends Error {
    override readonly name = "AgentError";

    constructor(readonly code: status, message: string) {
        super(message);
    }
}
