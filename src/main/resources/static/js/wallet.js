// Sign-In with Ethereum (EIP-4361) through the browser's wallet: EIP-6963 discovery (window.ethereum
// as a fallback), the right chain (switch, or add it), a nonce from the server, personal_sign, and
// the server's verdict. Buttons: <button data-wallet-sign-in data-statement="..."> and an element
// [data-wallet-status] for messages.
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
            status.textContent = error.code === 4001 ? button.dataset.rejected : (error.message || String(error));
        } finally {
            button.disabled = false;
        }
    }

    document.addEventListener("click", (event) => {
        const button = event.target.closest("[data-wallet-sign-in]");
        if (button) {
            event.preventDefault();
            signIn(button, document.querySelector("[data-wallet-status]"));
        }
    });
})();
