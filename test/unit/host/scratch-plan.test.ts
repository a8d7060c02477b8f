import { planScratch } from "../../../provider/src/host/scratch-plan";

describe("planScratch()", () => {
    test("puts sandbox.vhdx in the last layer folder and the template and OS files in the UVM folder", () => {
        expect(planScratch(["C:\\layers\\app", "C:\\layers\\base", "C:\\uvms\\vm1"], "C:\\layers\\base")).toEqual({
            scratchFolder: "C:\\uvms\\vm1",
            scratchPath: "C:\\uvms\\vm1\\sandbox.vhdx",
            templatePath: "C:\\layers\\base\\UtilityVM\\SystemTemplate.vhdx",
            ownerMarkerPath: "C:\\uvms\\vm1\\pulumi-hcs.json",
            osFilesPath: "C:\\layers\\base\\UtilityVM\\Files",
        });
    });

    test("handles a drive root as the scratch folder", () => {
        expect(planScratch(["C:\\base", "D:\\"], "C:\\base").scratchPath).toBe("D:\\sandbox.vhdx");
    });

    test("refuses an empty list", () => {
        expect(() => planScratch([], "C:\\base")).toThrow(RangeError);
    });
});
