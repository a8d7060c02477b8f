/**
 * Who frees the strings computecore returns: the binding's LocalFree, bound from kernel32 on Windows
 * (the simulator's DLL, like the real computecore.dll, exports none) and from the simulator's library
 * elsewhere. A string the library handed out goes back through it and LocalFree answers NULL, which
 * means freed. On Windows this is what stands in for the library's `liveStrings` counter, which
 * cannot see kernel32's frees (see `noLeaks()`).
 */
import koffi from "koffi";
import { toKoffiPrototype } from "../../provider/src/hcs/abi-types";
import { LOCALFREE_PROTOTYPE } from "../../provider/src/hcs/prototypes";
import { isWindows } from "../../provider/src/platform";
import { libraryCounters, startTestHost, STRINGS_UNCOUNTED, type TestHost } from "../support/simulated-host";

let host: TestHost;

beforeAll(async () => {
    host = await startTestHost();
});

afterAll(async () => {
    await host?.stop();
});

describe("LocalFree", () => {
    it("is exported by the simulator's library only off Windows, where nothing else has one", () => {
        const library = koffi.load(host.sim.libraryPath);
        const declare = () => library.func(toKoffiPrototype(LOCALFREE_PROTOTYPE.replace(/\bHLOCAL\b/g, "void *")));
        // On Windows the binding must therefore have bound kernel32's.
        if (isWindows) expect(declare).toThrow();
        else expect(declare).not.toThrow();
    });

    it("frees a string computecore returned: the binding's LocalFree answers NULL", () => {
        // The same export as the binding's, declared with a raw out pointer so the test owns the string.
        const HcsGetServiceProperties = koffi.load(host.sim.libraryPath)
            .func("int32_t __stdcall HcsGetServiceProperties(const char16_t *query, _Out_ void **result)");
        const before = libraryCounters(host.client).liveStrings;
        const out: [unknown] = [null];
        expect(HcsGetServiceProperties('{"PropertyTypes":["ProcessorTopology"]}', out)).toBe(0);
        expect(out[0]).not.toBeNull();
        const text = koffi.decode(out[0], "char16_t", -1) as string;
        expect(JSON.parse(text)).toMatchObject({ Properties: [{ LogicalProcessorCount: 8 }] });
        if (isWindows) {
            expect(before).toBe(STRINGS_UNCOUNTED); // kernel32 frees them; the DLL cannot count
        } else {
            expect(libraryCounters(host.client).liveStrings).toBe(before + 1);
        }
        expect(host.client.hcs.LocalFree(out[0] as bigint)).toBeNull();
        expect(libraryCounters(host.client).liveStrings).toBe(before);
    });

    it("answers NULL for NULL, as kernel32's does", () => {
        expect(host.client.hcs.LocalFree(null as unknown as bigint)).toBeNull();
    });
});
