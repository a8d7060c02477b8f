import { defaultVsmbOptions } from "../../../provider/src/document/default-vsmb-options";
import { encodeGoJson } from "../../../provider/src/document/go-json";
import { VIRTUAL_SMB_SHARE_OPTIONS } from "../../../provider/src/document/schema-layout";

const json = (readOnly: boolean, noDirectmap: boolean): string => encodeGoJson(defaultVsmbOptions(readOnly, noDirectmap), VIRTUAL_SMB_SHARE_OPTIONS);

describe("defaultVsmbOptions()", () => {
    test("turns on ReadOnly, ShareRead, CacheIo and PseudoOplocks for a read-only share", () => {
        expect(json(true, false)).toBe('{"ReadOnly":true,"ShareRead":true,"CacheIo":true,"PseudoOplocks":true}');
    });

    test("turns everything off for a writable share", () => {
        expect(json(false, false)).toBe("{}");
    });

    test("adds NoDirectmap when direct mapping is off", () => {
        expect(json(false, true)).toBe('{"NoDirectmap":true}');
        expect(json(true, true)).toBe('{"ReadOnly":true,"ShareRead":true,"CacheIo":true,"NoDirectmap":true,"PseudoOplocks":true}');
    });
});
