/**
 * UvmStepError names the action, the compute system, the step and the cause once: an HcsError about
 * the same system is said without repeating its ID.
 */
import { HRESULTS, HcsError } from "../../../provider/src/hcs";
import { UvmStepError } from "../../../provider/src/uvm/step-error";

const ID = "0b6e2a47-3c39-5a2f-9d2e-8f1a6c0b9d11";

describe("UvmStepError", () => {
    it("names the system once when HCS failed for that system", () => {
        const cause = new HcsError({ operation: "HcsStartComputeSystem", id: ID }, HRESULTS.HCS_E_INVALID_STATE);
        const error = new UvmStepError("create utility VM", ID, "failed to start the utility VM", cause);
        expect(error.message).toBe(`create utility VM '${ID}': failed to start the utility VM: HcsStartComputeSystem failed: ${cause.reason}`);
        expect(error.message.split(ID)).toHaveLength(2);
        expect(error.cause).toBe(cause);
    });

    it("keeps the ID of an HcsError about another system, and the message of any other cause", () => {
        const other = new HcsError({ operation: "HcsOpenComputeSystem", id: "someone-else" }, HRESULTS.HCS_E_SYSTEM_NOT_FOUND);
        expect(new UvmStepError("delete utility VM", ID, "open", other).message).toBe(`delete utility VM '${ID}': open: ${other.message}`);
        expect(new UvmStepError("delete utility VM", ID, "open", new Error("no such folder")).message).toBe(`delete utility VM '${ID}': open: no such folder`);
    });

    it("says rollback failures about the same system without its ID either", () => {
        const cause = new Error("the disk is full");
        const stuck = new HcsError({ operation: "HcsTerminateComputeSystem", id: ID }, HRESULTS.HCS_E_OPERATION_TIMEOUT);
        const error = new UvmStepError("create utility VM", ID, "failed to create scratch", cause, [{ step: "terminate and close the compute system", error: stuck }]);
        expect(error.message).toBe(
            `create utility VM '${ID}': failed to create scratch: the disk is full; ` +
                `rollback could not undo: terminate and close the compute system (HcsTerminateComputeSystem failed: ${stuck.reason})`,
        );
    });
});
