// The browser's wallet (EIP-1193; EIP-6963 discovery, window.ethereum as a fallback), always on the
// plaza's chain (switch, or add it):
// - Sign-In with Ethereum (EIP-4361): a nonce from the server, personal_sign, the server's verdict.
//   <button data-wallet-sign-in data-statement="..."> and an element [data-wallet-status].
// - Buying a license (market/panel.html, [data-buy-license]): the server prepares an EIP-2612 permit
//   for exactly the on-chain price, the wallet signs it (eth_signTypedData_v4), the server encodes
//   buyLicenseWithPermit, the wallet estimates and sends it, and the server is told the hash. The
//   license itself comes from the server's chain watcher, never from this script.
// - Claiming a Proof of Value reward (reputation/rewards.html, [data-claim-reward] in .rewards-panel): the
//   wallet sends RewardsDistributor.claim with the proof the server keeps.
// - Opening license sales ([data-open-sale]): the owner's wallet sends Marketplace.listLicense.
// - Depositing a training job's budget (compute/job.html, [data-deposit-job]): the same permit flow
//   with JobEscrow.depositWithPermit; the job is queued by the server's watcher, never by this script.
// - Funding a data competition's training pool (competition/page.html, [data-deposit-pool]): the same permit flow
//   with JobEscrow.depositWithPermit under the pool's id; submissions are taken from the watcher's confirmed log.
// - Funding a competition's prize pool (competition/page.html, [data-fund-competition]): the same
//   permit flow with CompetitionEscrow.fundWithPermit; the page shows it funded from the watcher's log.
// - Escrowing a data request's bounty (bounty/page.html, [data-fund-request]): the same permit flow with
//   BountyEscrow.openWithPermit; accepting a submission and the refund after the deadline are [data-send-call].
// - Depositing usage credit (serving/credit.html, [data-deposit-credit]): the same permit flow with
//   UsageCredit.depositWithPermit for the amount in the panel's [data-flow-amount] field; the credit
//   counts from the watcher's log.
// - Offering a scored model's token to an AI commission (bounty/page.html, [data-send-steps=URL]): the server
//   prepares the escrow's approval for the token (when needed) and BountyEscrow.submitAsset, the wallet sends them in
//   order; the submission becomes acceptable from the watcher's AssetSubmitted log, never from this script.
// - Calls the server prepares for the member's wallet ([data-send-call=URL]: a credit withdrawal
//   request, a withdrawal without the operator; [data-open-sale]: Marketplace.listLicense): the server
//   checks and encodes, the wallet sends.
// - Selling and buying an asset's ownership (market/ownership.html, [data-offer-ownership],
//   [data-cancel-ownership-offer], [data-buy-ownership]): the server prepares the transactions (an
//   approval, then Marketplace.offerAsset or buyAsset) after its checks, and the wallet sends them in
//   order; the listing changes hands from the watcher's logs, never from this script.
// Every flow sends its transactions with sendPrepared (the gas estimate, then the wallet's confirmation).
// A flow runs in its panel (.license-panel, .ownership-panel, .deposit-panel or .funding-panel: data-chain-*,
// data-msg-*, data-reload and optionally data-reload-target), which is fetched again when the flow has sent its
// transaction (with the query the flow returns, if any; a panel without data-reload keeps its last status line).
(() => {
    const providers = [];
    window.addEventListener("eip6963:announceProvider", (event) => providers.push(event.detail));
    window.dispatchEvent(new Event("eip6963:requestProvider"));

    const wallet = () => (providers.length ? providers[0].provider : window.ethereum);

    function csrfHeaders() {
        const token = document.querySelector("meta[name=_csrf]");
        const header = document.querySelector("meta[name=_csrf_header]");
        return token && header ? { [header.content]: token.content } : {};
    }

    async function ensureChain(provider, chain) {
        const current = await provider.request({ method: "eth_chainId" });
        if (current.toLowerCase() === chain.chainIdHex) {
            return;
        }
        try {
            await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId: chain.chainIdHex }] });
        } catch (error) {
            if (error.code !== 4902) {
                throw error;
            }
            await provider.request({
                method: "wallet_addEthereumChain",
                params: [{
                    chainId: chain.chainIdHex, chainName: chain.chainName, rpcUrls: [chain.rpcUrl],
                    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
                }],
            });
        }
    }

    async function signIn(button, status) {
        const provider = wallet();
        if (!provider) {
            status.textContent = button.dataset.noWallet;
            return;
        }
        button.disabled = true;
        try {
            const [address] = await provider.request({ method: "eth_requestAccounts" });
            const chain = await (await fetch("/siwe/nonce", { credentials: "same-origin" })).json();
            await ensureChain(provider, chain);
            const now = new Date();
            const message = `${location.host} wants you to sign in with your Ethereum account:\n${address}\n\n`
                + `${button.dataset.statement}\n\nURI: ${location.origin}/\nVersion: 1\nChain ID: ${chain.chainId}\n`
                + `Nonce: ${chain.nonce}\nIssued At: ${now.toISOString()}\n`
                + `Expiration Time: ${new Date(now.getTime() + 5 * 60 * 1000).toISOString()}`;
            const signature = await provider.request({ method: "personal_sign", params: [message, address] });
            const response = await fetch("/siwe/verify", {
                method: "POST",
                credentials: "same-origin",
                headers: { "Content-Type": "application/json", ...csrfHeaders() },
                body: JSON.stringify({ message, signature }),
            });
            const verdict = await response.json();
            if (response.ok) {
                window.location.assign(verdict.redirect);
            } else {
                status.textContent = verdict.error;
            }
        } catch (error) {
            status.classList.add("field-error");
            status.textContent = error.code === 4001 ? button.dataset.rejected : (error.message || String(error));
        } finally {
            button.disabled = false;
        }
    }

    async function postJson(url, body) {
        const response = await fetch(url, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", ...csrfHeaders() },
            body: JSON.stringify(body || {}),
        });
        const answer = await response.json();
        if (!response.ok) {
            throw Object.assign(new Error(answer.error || response.statusText), { fromServer: true });
        }
        return answer;
    }

    function panelChain(panel) {
        return { chainIdHex: panel.dataset.chainId, chainName: panel.dataset.chainName, rpcUrl: panel.dataset.rpcUrl };
    }

    /** Without data-reload the panel stays as it is, its status line saying what happens next. */
    function reloadPanel(panel, query) {
        if (!panel.dataset.reload) {
            return;
        }
        const target = panel.dataset.reloadTarget ? document.querySelector(panel.dataset.reloadTarget) : panel;
        const url = query ? `${panel.dataset.reload}?${query}` : panel.dataset.reload;
        htmx.ajax("GET", url, { target, swap: panel.dataset.reloadTarget ? "innerHTML" : "outerHTML" });
    }

    /** Runs a wallet flow for a panel's button, showing progress and errors in its status line. */
    async function inPanel(button, flow) {
        const panel = button.closest(".license-panel, .ownership-panel, .deposit-panel, .funding-panel, .rewards-panel");
        const status = panel.querySelector("[data-flow-status]");
        const provider = wallet();
        // Progress and "Sent" read as plain text; only a failure is shown as an error.
        status.classList.remove("field-error");
        if (!provider) {
            status.classList.add("field-error");
            status.textContent = panel.dataset.msgNoWallet;
            return;
        }
        button.disabled = true;
        try {
            const [account] = await provider.request({ method: "eth_requestAccounts" });
            await ensureChain(provider, panelChain(panel));
            const query = await flow(provider, account.toLowerCase(), panel, status, button);
            reloadPanel(panel, query);
        } catch (error) {
            status.classList.add("field-error");
            status.textContent = error.code === 4001 ? panel.dataset.msgRejected : (error.message || String(error));
            button.disabled = false;
        }
    }

    /**
     * The permit flow under `base`: POST base/permit {[who]: account} gives the typed data, the wallet
     * signs it, POST base/transaction gives the calldata, the wallet sends it, and POST base gets the
     * hash when the server keeps pending transactions (reportSent). `fields` go with both first steps
     * (e.g. the amount of a deposit the member chose).
     */
    async function payWithPermit(base, who, provider, account, panel, status, reportSent = true, fields = {}) {
        const permit = await postJson(`${base}/permit`, { ...fields, [who]: account });
        status.textContent = panel.dataset.msgSignPermit;
        const signature = await provider.request({ method: "eth_signTypedData_v4", params: [account, permit.typedData] });
        const tx = await postJson(`${base}/transaction`, { ...fields, deadline: String(permit.deadline), signature });
        const txHash = await sendPrepared(provider, account, tx, panel, status, panel.dataset.msgSend);
        if (reportSent) {
            await postJson(base, { [who]: account, txHash });
        }
    }

    /**
     * Sends one transaction the server prepared ({to, data}) from the account: the gas estimate (a call that
     * would revert fails here, before the wallet asks anything), then the wallet's confirmation, with `message`
     * ("{0}": the gas) in the status line meanwhile. Returns its hash.
     */
    async function sendPrepared(provider, account, tx, panel, status, message, sentMessage = panel.dataset.msgSending) {
        const call = { from: account, to: tx.to, data: tx.data };
        const gas = await provider.request({ method: "eth_estimateGas", params: [call] });
        status.textContent = message.replace("{0}", BigInt(gas).toLocaleString());
        const txHash = await provider.request({ method: "eth_sendTransaction", params: [{ ...call, gas }] });
        status.textContent = sentMessage;
        return txHash;
    }

    async function mined(provider, txHash, panel) {
        for (;;) {
            const receipt = await provider.request({ method: "eth_getTransactionReceipt", params: [txHash] });
            if (receipt) {
                if (receipt.status !== "0x1") {
                    throw new Error(panel.dataset.msgReverted);
                }
                return;
            }
            await new Promise((resolve) => setTimeout(resolve, 1000));
        }
    }

    /**
     * Sends the transactions a server step prepared ({from, calls, after}) from the wallet it names, each
     * mined before the next is estimated (an approval comes first); returns the last hash and the query
     * to fetch the panel again with.
     */
    async function sendSteps(steps, provider, account, panel, status) {
        if (steps.from !== account) {
            throw new Error(panel.dataset.msgWrongWallet.replace("{0}", steps.from));
        }
        let txHash;
        for (const [i, call] of steps.calls.entries()) {
            if (i > 0) {
                await mined(provider, txHash, panel);
            }
            const of = (message) => message.replace("{1}", steps.calls.length).replace("{2}", String(i + 1));
            // "Sent" only once the last one is: after an approval the wallet still has a transaction to ask for.
            const last = i === steps.calls.length - 1;
            txHash = await sendPrepared(provider, account, call, panel, status, of(panel.dataset.msgStep),
                last ? panel.dataset.msgSending : of(panel.dataset.msgStepMining));
        }
        return { txHash, after: steps.after };
    }

    async function offerOwnership(provider, account, panel, status) {
        const price = panel.querySelector("[data-ownership-price]").value;
        const steps = await postJson(`/listings/${panel.dataset.listing}/ownership/offer`, { price });
        return (await sendSteps(steps, provider, account, panel, status)).after;
    }

    async function cancelOwnershipOffer(provider, account, panel, status) {
        const steps = await postJson(`/listings/${panel.dataset.listing}/ownership/cancel`);
        return (await sendSteps(steps, provider, account, panel, status)).after;
    }

    async function buyOwnership(provider, account, panel, status) {
        const base = `/listings/${panel.dataset.listing}/ownership/purchase`;
        const price = panel.querySelector("[data-buy-ownership]").dataset.priceWei;
        const steps = await postJson(`${base}/transactions`, { buyer: account, price });
        const { txHash } = await sendSteps(steps, provider, account, panel, status);
        await postJson(base, { buyer: account, txHash });
    }

    async function buyLicense(provider, account, panel, status) {
        await payWithPermit(`/listings/${panel.dataset.listing}/purchase`, "buyer", provider, account, panel, status);
    }

    async function fundCompetition(provider, account, panel, status) {
        await payWithPermit(`/competitions/${panel.dataset.slug}/funding`, "wallet", provider, account, panel, status, false);
    }

    async function fundRequest(provider, account, panel, status) {
        await payWithPermit(`/requests/${panel.dataset.request}/funding`, "wallet", provider, account, panel, status, false);
    }

    async function depositJob(provider, account, panel, status) {
        await payWithPermit(`/jobs/${panel.dataset.job}/deposit`, "wallet", provider, account, panel, status);
    }

    async function depositPool(provider, account, panel, status) {
        await payWithPermit(`/pools/${panel.dataset.pool}/deposit`, "wallet", provider, account, panel, status);
    }

    /** The panel's amount field, if it has one. */
    function amountOf(panel) {
        const field = panel.querySelector("[data-flow-amount]");
        return field ? { amount: field.value.trim() } : {};
    }

    async function depositCredit(provider, account, panel, status) {
        await payWithPermit("/credit/deposit", "wallet", provider, account, panel, status, false, amountOf(panel));
    }

    /** POST url {wallet, amount?} gives a call the server checked and encoded; the wallet sends it. */
    async function sendCall(url, provider, account, panel, status) {
        const tx = await postJson(url, { ...amountOf(panel), wallet: account });
        await provider.request({ method: "eth_sendTransaction", params: [{ from: account, to: tx.to, data: tx.data }] });
        if (status && panel.dataset.msgSending) {
            status.textContent = panel.dataset.msgSending;
        }
    }

    /** POST url {wallet} gives transactions the server checked and encoded ({from, calls, after}); the wallet sends them. */
    async function sendStepsFrom(url, provider, account, panel, status) {
        const steps = await postJson(url, { wallet: account });
        await sendSteps(steps, provider, account, panel, status);
        status.textContent = panel.dataset.msgSending;
    }

    async function openSale(provider, account, panel) {
        await sendCall(`/listings/${panel.dataset.listing}/sale/transaction`, provider, account, panel);
    }

    /** A reward's claim: the server gives RewardsDistributor.claim with the leaf's proof; any wallet may send it. */
    async function claimReward(provider, account, panel, status, button) {
        const tx = await postJson(`/rewards/${button.dataset.epoch}/claim/transaction`);
        // "Claim sent" only once the wallet has sent it, not while it still asks the member to confirm.
        await sendPrepared(provider, account, tx, panel, status, panel.dataset.msgSend);
    }

    document.addEventListener("click", (event) => {
        const signInButton = event.target.closest("[data-wallet-sign-in]");
        if (signInButton) {
            event.preventDefault();
            signIn(signInButton, document.querySelector("[data-wallet-status]"));
        }
        const buyButton = event.target.closest("[data-buy-license]");
        if (buyButton) {
            event.preventDefault();
            inPanel(buyButton, buyLicense);
        }
        const depositButton = event.target.closest("[data-deposit-job]");
        if (depositButton) {
            event.preventDefault();
            inPanel(depositButton, depositJob);
        }
        const poolButton = event.target.closest("[data-deposit-pool]");
        if (poolButton) {
            event.preventDefault();
            inPanel(poolButton, depositPool);
        }
        const fundButton = event.target.closest("[data-fund-competition]");
        if (fundButton) {
            event.preventDefault();
            inPanel(fundButton, fundCompetition);
        }
        const requestButton = event.target.closest("[data-fund-request]");
        if (requestButton) {
            event.preventDefault();
            inPanel(requestButton, fundRequest);
        }
        const creditButton = event.target.closest("[data-deposit-credit]");
        if (creditButton) {
            event.preventDefault();
            inPanel(creditButton, depositCredit);
        }
        const callButton = event.target.closest("[data-send-call]");
        if (callButton) {
            event.preventDefault();
            inPanel(callButton, (provider, account, panel, status) =>
                sendCall(callButton.dataset.sendCall, provider, account, panel, status));
        }
        const stepsButton = event.target.closest("[data-send-steps]");
        if (stepsButton) {
            event.preventDefault();
            inPanel(stepsButton, (provider, account, panel, status) => sendStepsFrom(stepsButton.dataset.sendSteps, provider,
                account, panel, status));
        }
        const claimButton = event.target.closest("[data-claim-reward]");
        if (claimButton) {
            event.preventDefault();
            inPanel(claimButton, claimReward);
        }
        const saleButton = event.target.closest("[data-open-sale]");
        if (saleButton) {
            event.preventDefault();
            inPanel(saleButton, openSale);
        }
        const ownershipFlows = [["[data-offer-ownership]", offerOwnership], ["[data-cancel-ownership-offer]", cancelOwnershipOffer],
            ["[data-buy-ownership]", buyOwnership]];
        for (const [selector, flow] of ownershipFlows) {
            const button = event.target.closest(selector);
            if (button) {
                event.preventDefault();
                inPanel(button, flow);
            }
        }
    });
})();
