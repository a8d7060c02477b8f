/**
 * Creates a blob container on an Azure Blob service (Azurite here) with a storage account's shared
 * key. Pulumi's azblob:// backend never creates its container (gocloud's azureblob driver opens an
 * existing one, and `pulumi login` fails on a missing one), so an operator makes it once, as
 * `az storage container create` would; this is that step without an Azure SDK in the repository.
 */
import { createHmac } from "node:crypto";

export interface BlobServiceAccount {
    /** The account's service URL: `http://127.0.0.1:PORT/<account>` on an emulator (path-style). */
    readonly serviceUrl: string;
    readonly account: string;
    /** The account key, base64, as AZURE_STORAGE_KEY holds it. */
    readonly key: string;
}

/** The REST API version the request speaks; Azurite 3.37.0 accepts it. */
const API_VERSION = "2021-12-02";

/** Creates `container`; an existing one is fine (409 ContainerAlreadyExists). */
export async function createBlobContainer(account: BlobServiceAccount, container: string): Promise<void> {
    const url = new URL(`${account.serviceUrl.replace(/\/$/, "")}/${container}?restype=container`);
    const headers: Record<string, string> = {
        "x-ms-date": new Date().toUTCString(),
        "x-ms-version": API_VERSION,
    };
    headers.authorization = `SharedKey ${account.account}:${sharedKeySignature(account, "PUT", url, headers)}`;
    const response = await fetch(url, { method: "PUT", headers });
    if (response.status !== 201 && response.status !== 409) {
        throw new Error(`creating blob container ${container} at ${account.serviceUrl} failed: ${response.status} ${await response.text()}`);
    }
}

/**
 * The Shared Key signature of a request without a body (learn.microsoft.com, "Authorize with Shared
 * Key"): the verb, eleven empty standard headers, the x-ms-* headers sorted, then the account and
 * path with the query parameters sorted.
 */
function sharedKeySignature(account: BlobServiceAccount, verb: string, url: URL, headers: Record<string, string>): string {
    const canonicalHeaders = Object.keys(headers)
        .filter((name) => name.startsWith("x-ms-"))
        .sort()
        .map((name) => `${name}:${headers[name]}\n`)
        .join("");
    const query = [...url.searchParams.keys()].sort().map((key) => `\n${key.toLowerCase()}:${url.searchParams.get(key)}`).join("");
    const stringToSign = `${verb}\n${"\n".repeat(11)}${canonicalHeaders}/${account.account}${url.pathname}${query}`;
    return createHmac("sha256", Buffer.from(account.key, "base64")).update(stringToSign, "utf8").digest("base64");
}
