import { closestName, editDistance } from "../../../provider/src/model/closest-name";

const NAMES = ["layerFolders", "processorCount", "processorLimit", "cpuGroupId", "scsiControllerCount", "owner", "host"];

describe("closestName()", () => {
    test.each([
        ["procesorCount", "processorCount"],
        ["processorcount", "processorCount"],
        ["LayerFolders", "layerFolders"],
        ["CPUGroupID", "cpuGroupId"],
        ["SCSIControllerCount", "scsiControllerCount"],
        ["ownr", "owner"],
        ["processorLimt", "processorLimit"],
    ])("suggests %p → %p", (unknown, expected) => {
        expect(closestName(unknown, NAMES)).toBe(expected);
    });

    test("suggests nothing for a name far from every known one", () => {
        expect(closestName("networkAdapters", NAMES)).toBeUndefined();
        expect(closestName("x", ["layerFolders"])).toBeUndefined();
    });
});

describe("editDistance()", () => {
    test("counts a swap of neighbouring letters as one edit", () => {
        expect(editDistance("ab", "ba")).toBe(1);
        expect(editDistance("kitten", "sitting")).toBe(3);
        expect(editDistance("", "abc")).toBe(3);
    });
});
