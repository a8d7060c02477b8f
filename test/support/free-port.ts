/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for servers that must be told their port
 * up front and keep it across restarts (a client's URL names it). Another process could take it
 * between this call and the server's bind; the servers here fail loudly then, they never misroute.
 */
import net from "node:net";

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}
