package ai.aicrypto.plaza.chain.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import ai.aicrypto.plaza.chain.Chain;
import ai.aicrypto.plaza.chain.ChainProperties;
import ai.aicrypto.plaza.chain.ChainUnavailableException;
import ai.aicrypto.plaza.chain.contracts.AICToken;
import ai.aicrypto.plaza.chain.contracts.AssetRegistry;
import ai.aicrypto.plaza.chain.contracts.BountyEscrow;
import ai.aicrypto.plaza.chain.contracts.CompetitionEscrow;
import ai.aicrypto.plaza.chain.contracts.JobEscrow;
import ai.aicrypto.plaza.chain.contracts.Marketplace;
import ai.aicrypto.plaza.chain.contracts.UsageCredit;
import ai.aicrypto.plaza.chain.contracts.RewardsDistributor;
import org.springframework.stereotype.Component;
import org.web3j.abi.EventEncoder;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterNumber;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.tx.exceptions.ContractCallException;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.TransactionManager;
import org.web3j.tx.gas.DefaultGasProvider;
import org.web3j.utils.Numeric;
import tools.jackson.databind.json.JsonMapper;

/** {@link Chain} over web3j and the generated contract wrappers. */
@Component
class Web3jChain implements Chain {

    private static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
    /** Most RPC providers cap eth_getLogs ranges; 2,000 blocks is under all common caps. */
    private static final long MAX_LOG_RANGE = 2000;

    private final ChainProperties properties;
    private final TransactionSender sender;
    private final Web3j web3j;
    private final JsonMapper json;
    private final Optional<Contracts> contracts;

    Web3jChain(ChainProperties properties, Web3j web3j, JsonMapper json, TransactionSender sender) {
        this.properties = properties;
        this.sender = sender;
        this.web3j = web3j;
        this.json = json;
        this.contracts = Deployment.read(properties.deployment(), properties.chainId(), json);
    }

    @Override
    public boolean enabled() {
        return contracts.isPresent();
    }

    @Override
    public Contracts contracts() {
        return contracts.orElseThrow(() -> new IllegalStateException("no contracts deployed (" + properties.deployment() + " is missing)"));
    }

    @Override
    public Optional<String> mintAsset(long tokenId, AssetKind kind, byte[] contentHash, String owner, int royaltyBps) {
        if (ownerOf(tokenId).isPresent()) {
            return Optional.empty();
        }
        String data = registry(reader()).mint(owner, BigInteger.valueOf(tokenId), BigInteger.valueOf(kind.ordinal()), contentHash,
                royaltyBps == 0 ? ZERO_ADDRESS : owner, BigInteger.valueOf(royaltyBps)).encodeFunctionCall();
        return Optional.of(sender.send("mint:" + tokenId, minter(), contracts().registry(), data));
    }

    @Override
    public LicenseListing licenseListing(long assetId) {
        var l = call(() -> market(reader()).licenseListing(BigInteger.valueOf(assetId)).send());
        return new LicenseListing(l.component1().toLowerCase(Locale.ROOT), l.component2(), l.component3());
    }

    @Override
    public AssetOffer assetOffer(long assetId) {
        var o = call(() -> market(reader()).assetOffer(BigInteger.valueOf(assetId)).send());
        return new AssetOffer(o.component1().toLowerCase(Locale.ROOT), o.component2(), o.component3());
    }

    @Override
    public int marketFeeBps() {
        return call(() -> market(reader()).feeBps().send()).intValueExact();
    }

    @Override
    public int usageFeeBps() {
        return call(() -> usageCredit(reader()).feeBps().send()).intValueExact();
    }

    @Override
    public int jobEscrowFeeBps() {
        return call(() -> jobEscrow(reader()).feeBps().send()).intValueExact();
    }

    @Override
    public boolean marketMayTransfer(long assetId) {
        return mayTransfer(contracts().market(), assetId);
    }

    @Override
    public boolean bountyEscrowMayTransfer(long assetId) {
        return mayTransfer(contracts().bountyEscrow(), assetId);
    }

    /** Whether {@code operator} may transfer the asset's token for its owner (approved for it, or for all theirs). */
    private boolean mayTransfer(String operator, long assetId) {
        AssetRegistry registry = registry(reader());
        String owner = ownerOf(assetId).orElse(null);
        return owner != null && (operator.equalsIgnoreCase(call(() -> registry.getApproved(BigInteger.valueOf(assetId)).send()))
                || call(() -> registry.isApprovedForAll(owner, operator).send()));
    }

    @Override
    public String approveBountyEscrowForAssetCall(long assetId) {
        return registry(reader()).approve(contracts().bountyEscrow(), BigInteger.valueOf(assetId)).encodeFunctionCall();
    }

    @Override
    public String approveMarketForAssetCall(long assetId) {
        return registry(reader()).approve(contracts().market(), BigInteger.valueOf(assetId)).encodeFunctionCall();
    }

    @Override
    public String offerAssetCall(long assetId, BigInteger priceWei) {
        return market(reader()).offerAsset(BigInteger.valueOf(assetId), priceWei).encodeFunctionCall();
    }

    @Override
    public String approveMarketForAicCall(BigInteger amount) {
        return token(reader()).approve(contracts().market(), amount).encodeFunctionCall();
    }

    @Override
    public String buyAssetCall(long assetId, BigInteger maxPriceWei) {
        return market(reader()).buyAsset(BigInteger.valueOf(assetId), maxPriceWei).encodeFunctionCall();
    }

    @Override
    public Optional<String> ownerOf(long assetId) {
        try {
            return Optional.of(registry(reader()).ownerOf(BigInteger.valueOf(assetId)).send().toLowerCase(Locale.ROOT));
        } catch (ContractCallException e) {
            return Optional.empty(); // ERC721NonexistentToken
        } catch (Exception e) {
            throw new ChainUnavailableException(e);
        }
    }

    @Override
    public BigInteger aicBalance(String address) {
        return call(() -> token(reader()).balanceOf(address).send());
    }

    @Override
    public String permitTypedData(String owner, String spender, BigInteger value, long deadline) {
        Contracts c = contracts();
        AICToken token = token(reader());
        var domain = call(() -> token.eip712Domain().send());
        BigInteger nonce = call(() -> token.nonces(owner).send());
        Map<String, Object> typed = Map.of(
                "types", Map.of(
                        "EIP712Domain", List.of(field("name", "string"), field("version", "string"),
                                field("chainId", "uint256"), field("verifyingContract", "address")),
                        "Permit", List.of(field("owner", "address"), field("spender", "address"), field("value", "uint256"),
                                field("nonce", "uint256"), field("deadline", "uint256"))),
                "primaryType", "Permit",
                "domain", Map.of("name", domain.component2(), "version", domain.component3(),
                        "chainId", domain.component4().longValueExact(), "verifyingContract", c.token()),
                "message", Map.of("owner", owner, "spender", spender, "value", value.toString(),
                        "nonce", nonce.toString(), "deadline", Long.toString(deadline)));
        return json.writeValueAsString(typed);
    }

    @Override
    public String buyLicenseWithPermitCall(long assetId, long deadline, String signature) {
        Signature sig = Signature.of(signature);
        return market(reader()).buyLicenseWithPermit(BigInteger.valueOf(assetId), BigInteger.valueOf(deadline),
                sig.v(), sig.r(), sig.s()).encodeFunctionCall();
    }

    @Override
    public String depositWithPermitCall(long jobId, BigInteger budget, long timeoutSeconds, long deadline, String signature) {
        Signature sig = Signature.of(signature);
        return jobEscrow(reader()).depositWithPermit(BigInteger.valueOf(jobId), budget, BigInteger.valueOf(timeoutSeconds),
                BigInteger.valueOf(deadline), sig.v(), sig.r(), sig.s()).encodeFunctionCall();
    }

    @Override
    public String fundWithPermitCall(long id, long startEpochSecond, long endEpochSecond, List<Integer> splitBps,
                                     BigInteger pool, long deadline, String signature) {
        Signature sig = Signature.of(signature);
        return competitionEscrow(reader()).fundWithPermit(BigInteger.valueOf(id), BigInteger.valueOf(startEpochSecond),
                BigInteger.valueOf(endEpochSecond), splitBps.stream().map(BigInteger::valueOf).toList(), pool,
                BigInteger.valueOf(deadline), sig.v(), sig.r(), sig.s()).encodeFunctionCall();
    }

    @Override
    public EscrowedJob escrowedJob(String requester, long jobId) {
        var j = call(() -> jobEscrow(reader()).job(requester, BigInteger.valueOf(jobId)).send());
        String provider = j.provider.equalsIgnoreCase(ZERO_ADDRESS) ? null : j.provider.toLowerCase(Locale.ROOT);
        return new EscrowedJob(EscrowStatus.values()[j.status.intValueExact()], j.budget, j.deadline.longValueExact(), provider);
    }

    @Override
    public String assignJob(String requester, long jobId, String provider) {
        String data = jobEscrow(reader()).assign(requester, BigInteger.valueOf(jobId), provider).encodeFunctionCall();
        return sender.send("assign:" + requester + ":" + jobId + ":" + provider, escrowOperator(), contracts().jobEscrow(), data);
    }

    @Override
    public String settleJob(String requester, long jobId, BigInteger amount) {
        String data = jobEscrow(reader()).settle(requester, BigInteger.valueOf(jobId), amount).encodeFunctionCall();
        return sender.send("settle:" + requester + ":" + jobId, escrowOperator(), contracts().jobEscrow(), data);
    }

    @Override
    public String releaseJobPart(String requester, long jobId, long partId, String provider, BigInteger amount) {
        String data = jobEscrow(reader()).release(requester, BigInteger.valueOf(jobId), BigInteger.valueOf(partId), provider, amount)
                .encodeFunctionCall();
        return sender.send("release:" + requester + ":" + jobId + ":" + partId, escrowOperator(), contracts().jobEscrow(), data);
    }

    @Override
    public boolean jobPartReleased(String requester, long jobId, long partId) {
        return call(() -> jobEscrow(reader()).released(requester, BigInteger.valueOf(jobId), BigInteger.valueOf(partId)).send());
    }

    @Override
    public String refundJob(String requester, long jobId) {
        String data = jobEscrow(reader()).refund(requester, BigInteger.valueOf(jobId)).encodeFunctionCall();
        return sender.send("refund:" + requester + ":" + jobId, escrowOperator(), contracts().jobEscrow(), data);
    }

    @Override
    public String openBountyWithPermitCall(long bountyId, BigInteger amount, long deadlineEpochSecond, long permitDeadline,
                                           String signature) {
        Signature sig = Signature.of(signature);
        return bountyEscrow(reader()).openWithPermit(BigInteger.valueOf(bountyId), amount, BigInteger.valueOf(deadlineEpochSecond),
                BigInteger.valueOf(permitDeadline), sig.v(), sig.r(), sig.s()).encodeFunctionCall();
    }

    @Override
    public String acceptBountyCall(long bountyId, String creator, long assetId) {
        return bountyEscrow(reader()).accept(BigInteger.valueOf(bountyId), creator, BigInteger.valueOf(assetId)).encodeFunctionCall();
    }

    @Override
    public String submitAssetCall(String requester, long bountyId, long assetId) {
        return bountyEscrow(reader()).submitAsset(requester, BigInteger.valueOf(bountyId), BigInteger.valueOf(assetId))
                .encodeFunctionCall();
    }

    @Override
    public String refundBountyCall(String requester, long bountyId) {
        return bountyEscrow(reader()).refund(requester, BigInteger.valueOf(bountyId)).encodeFunctionCall();
    }

    @Override
    public EscrowedBounty escrowedBounty(String requester, long bountyId) {
        var b = call(() -> bountyEscrow(reader()).bounty(requester, BigInteger.valueOf(bountyId)).send());
        return new EscrowedBounty(BountyStatus.values()[b.status.intValueExact()], b.amount, b.deadline.longValueExact());
    }

    @Override
    public int bountyFeeBps() {
        return call(() -> bountyEscrow(reader()).feeBps().send()).intValueExact();
    }

    @Override
    public EscrowedCompetition escrowedCompetition(String host, long id) {
        var c = call(() -> competitionEscrow(reader()).competition(host, BigInteger.valueOf(id)).send());
        return new EscrowedCompetition(PoolStatus.values()[c.status.intValueExact()], c.pool, c.startTime.longValueExact(),
                c.endTime.longValueExact());
    }

    @Override
    public String finalizeCompetition(String host, long id, List<String> winners) {
        String data = competitionEscrow(reader()).finalize(host, BigInteger.valueOf(id), winners).encodeFunctionCall();
        return sender.send("finalize:" + host + ":" + id, escrowOperator(), contracts().competitionEscrow(), data);
    }

    @Override
    public String assignWinner(String host, long id, int place, String wallet) {
        String data = competitionEscrow(reader()).assignWinner(host, BigInteger.valueOf(id), BigInteger.valueOf(place), wallet)
                .encodeFunctionCall();
        return sender.send("assign-winner:" + host + ":" + id + ":" + place, escrowOperator(), contracts().competitionEscrow(),
                data);
    }

    @Override
    public String listLicenseCall(long assetId, BigInteger priceWei) {
        return market(reader()).listLicense(BigInteger.valueOf(assetId), priceWei).encodeFunctionCall();
    }

    @Override
    public String creditDepositWithPermitCall(BigInteger amount, long deadline, String signature) {
        Signature sig = Signature.of(signature);
        return usageCredit(reader()).depositWithPermit(amount, BigInteger.valueOf(deadline), sig.v(), sig.r(), sig.s())
                .encodeFunctionCall();
    }

    @Override
    public String creditWithdrawalRequestCall(BigInteger amount) {
        return usageCredit(reader()).requestWithdrawal(amount).encodeFunctionCall();
    }

    @Override
    public String creditWithdrawCall() {
        return usageCredit(reader()).withdraw().encodeFunctionCall();
    }

    @Override
    public CreditAccount creditAccount(String member) {
        var a = call(() -> usageCredit(reader()).account(member).send());
        return new CreditAccount(a.balance, a.pendingWithdrawal, a.withdrawableAt.longValueExact());
    }

    @Override
    public boolean usageBatchSettled(long batchId) {
        return call(() -> usageCredit(reader()).isSettled(BigInteger.valueOf(batchId)).send());
    }

    @Override
    public String settleUsage(long batchId, List<UsageEntry> entries) {
        String data = usageCredit(reader()).settle(BigInteger.valueOf(batchId), entries.stream()
                .map(e -> new UsageCredit.Entry(e.payer(), e.payee(), e.amount())).toList()).encodeFunctionCall();
        return sender.send("settle-usage:" + batchId, escrowOperator(), contracts().usageCredit(), data);
    }

    @Override
    public String releaseCreditWithdrawal(String member, String request) {
        String data = usageCredit(reader()).releaseWithdrawal(member).encodeFunctionCall();
        return sender.send("release-credit:" + member + ":" + request, escrowOperator(), contracts().usageCredit(), data);
    }

    @Override
    public List<AicTransfer> aicTransfersTo(Collection<String> recipients, Instant since) {
        if (recipients.isEmpty()) {
            return List.of();
        }
        long head = Rpc.call(() -> web3j.ethBlockNumber().send().getBlockNumber().longValueExact());
        long confirmed = head - properties.confirmations() + 1;
        long from = firstBlockAtOrAfter(since, confirmed);
        List<String> topics = recipients.stream().map(a -> Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(a), 64)).toList();
        List<AicTransfer> transfers = new ArrayList<>();
        for (long start = from; start <= confirmed; start += MAX_LOG_RANGE) {
            EthFilter filter = new EthFilter(new DefaultBlockParameterNumber(start),
                    new DefaultBlockParameterNumber(Math.min(confirmed, start + MAX_LOG_RANGE - 1)), contracts().token());
            filter.addSingleTopic(EventEncoder.encode(AICToken.TRANSFER_EVENT));
            filter.addNullTopic();
            filter.addOptionalTopics(topics.toArray(String[]::new));
            EthLog answer = Rpc.call(() -> web3j.ethGetLogs(filter).send());
            if (answer.hasError()) {
                throw new ChainUnavailableException(new IOException(answer.getError().getMessage()));
            }
            for (EthLog.LogResult<?> r : answer.getLogs()) {
                Log l = (Log) r.get();
                if (l.getTopics().size() != 3) {
                    continue;
                }
                var e = AICToken.getTransferEventFromLog(l);
                transfers.add(new AicTransfer(e.from.toLowerCase(Locale.ROOT), e.to.toLowerCase(Locale.ROOT), e.value,
                        l.getBlockNumber().longValueExact(), l.getTransactionHash()));
            }
        }
        return transfers;
    }

    /** Binary search over block times: the first block mined at or after {@code since} (at most {@code last}). */
    private long firstBlockAtOrAfter(Instant since, long last) {
        long lo = contracts().deployedAtBlock(), hi = Math.max(lo, last);
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            var block = Rpc.call(() -> web3j.ethGetBlockByNumber(new DefaultBlockParameterNumber(mid), false).send().getBlock());
            if (block == null || block.getTimestamp().longValueExact() < since.getEpochSecond()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public String publishRewards(long epoch, byte[] root, BigInteger amount, long leafCount) {
        String data = rewards(reader()).publish(BigInteger.valueOf(epoch), root, amount, BigInteger.valueOf(leafCount))
                .encodeFunctionCall();
        return sender.send("rewards:" + epoch, escrowOperator(), contracts().rewardsDistributor(), data);
    }

    @Override
    public String expireRewards(long epoch) {
        String data = rewards(reader()).expire(BigInteger.valueOf(epoch)).encodeFunctionCall();
        return sender.send("rewards-expire:" + epoch, escrowOperator(), contracts().rewardsDistributor(), data);
    }

    @Override
    public String claimRewardCall(long epoch, long index, String account, BigInteger amount, List<byte[]> proof) {
        return rewards(reader()).claim(BigInteger.valueOf(epoch), BigInteger.valueOf(index), account, amount, proof)
                .encodeFunctionCall();
    }

    @Override
    public TxState transactionState(String txHash) {
        return TransactionSender.state(web3j, txHash);
    }

    @Override
    public TxState confirmedTransactionState(String txHash) {
        var receipt = Rpc.call(() -> web3j.ethGetTransactionReceipt(txHash).send()).getTransactionReceipt();
        if (receipt.isEmpty()) {
            return TransactionSender.state(web3j, txHash);
        }
        long head = Rpc.call(() -> web3j.ethBlockNumber().send().getBlockNumber().longValueExact());
        if (head - receipt.get().getBlockNumber().longValueExact() + 1 < properties.confirmations()) {
            return TxState.PENDING;
        }
        return receipt.get().isStatusOK() ? TxState.SUCCEEDED : TxState.REVERTED;
    }

    @Override
    public BigInteger operatorAicBalance() {
        return aicBalance(escrowOperator().getAddress());
    }

    @Override
    public String transferAic(String purpose, String to, BigInteger amount) {
        String data = token(reader()).transfer(to, amount).encodeFunctionCall();
        return sender.send("transfer:" + purpose, escrowOperator(), contracts().token(), data);
    }

    private static Map<String, String> field(String name, String type) {
        return Map.of("name", name, "type", type);
    }

    private TransactionManager reader() {
        return new ReadonlyTransactionManager(web3j, ZERO_ADDRESS);
    }

    private Credentials minter() {
        if (properties.operatorKey() == null || properties.operatorKey().isBlank()) {
            throw new IllegalStateException("plaza.chain.operator-key (PLAZA_CHAIN_OPERATOR_KEY) is not set: the plaza cannot mint");
        }
        return Credentials.create(properties.operatorKey());
    }

    private Credentials escrowOperator() {
        String key = properties.escrowOperatorKeyOrMinter();
        if (key == null || key.isBlank()) {
            throw new IllegalStateException("plaza.chain.escrow-operator-key (PLAZA_CHAIN_ESCROW_OPERATOR_KEY) is not set: "
                    + "the plaza cannot settle escrows");
        }
        return Credentials.create(key);
    }

    private AICToken token(TransactionManager tm) {
        return AICToken.load(contracts().token(), web3j, tm, new DefaultGasProvider());
    }

    private AssetRegistry registry(TransactionManager tm) {
        return AssetRegistry.load(contracts().registry(), web3j, tm, new DefaultGasProvider());
    }

    private Marketplace market(TransactionManager tm) {
        return Marketplace.load(contracts().market(), web3j, tm, new DefaultGasProvider());
    }

    private JobEscrow jobEscrow(TransactionManager tm) {
        String address = contracts().jobEscrow();
        if (address == null) {
            throw new IllegalStateException("the deployment has no JobEscrow: training jobs are not paid on-chain");
        }
        return JobEscrow.load(address, web3j, tm, new DefaultGasProvider());
    }

    private CompetitionEscrow competitionEscrow(TransactionManager tm) {
        String address = contracts().competitionEscrow();
        if (address == null) {
            throw new IllegalStateException("the deployment has no CompetitionEscrow: prizes are not paid on-chain");
        }
        return CompetitionEscrow.load(address, web3j, tm, new DefaultGasProvider());
    }

    private UsageCredit usageCredit(TransactionManager tm) {
        String address = contracts().usageCredit();
        if (address == null) {
            throw new IllegalStateException("the deployment has no UsageCredit: model calls are not paid on-chain");
        }
        return UsageCredit.load(address, web3j, tm, new DefaultGasProvider());
    }

    private BountyEscrow bountyEscrow(TransactionManager tm) {
        String address = contracts().bountyEscrow();
        if (address == null) {
            throw new IllegalStateException("the deployment has no BountyEscrow: data requests and commissions are not offered");
        }
        return BountyEscrow.load(address, web3j, tm, new DefaultGasProvider());
    }

    private RewardsDistributor rewards(TransactionManager tm) {
        String address = contracts().rewardsDistributor();
        if (address == null) {
            throw new IllegalStateException("the deployment has no RewardsDistributor: rewards are not paid on-chain");
        }
        return RewardsDistributor.load(address, web3j, tm, new DefaultGasProvider());
    }

    /** A 65-byte (r, s, v) signature as a wallet returns it (0x hex), split as the contracts take it. */
    private record Signature(BigInteger v, byte[] r, byte[] s) {

        static Signature of(String hex) {
            byte[] sig = Numeric.hexStringToByteArray(hex);
            if (sig.length != 65) {
                throw new IllegalArgumentException("a signature has 65 bytes, not " + sig.length);
            }
            int v = sig[64] & 0xff;
            return new Signature(BigInteger.valueOf(v < 27 ? v + 27 : v), Arrays.copyOfRange(sig, 0, 32),
                    Arrays.copyOfRange(sig, 32, 64));
        }
    }

    private static <T> T call(RpcCall<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new ChainUnavailableException(e);
        }
    }

    @FunctionalInterface
    private interface RpcCall<T> {
        T run() throws Exception;
    }
}
