package ai.aicrypto.plaza.compute;

import java.math.BigDecimal;

/**
 * Where the money escrowed for a training job goes once the plaza has judged the result: the
 * provider is paid for a verified job (the rest of the escrow returns to the requester), the
 * requester gets the whole escrow back for a job that failed. Today the instructions are recorded
 * in the database; the chain integration executes them through the JobEscrow contract.
 */
public interface Settlement {

    void payProvider(long jobId, long providerId, BigDecimal amountAic, String reason);

    void refundRequester(long jobId, long requesterId, String reason);
}
