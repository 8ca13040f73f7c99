package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Sign-In with Ethereum with a test wallet: an EIP-1193 provider put in place before the page's
 * scripts run, forwarding every request to anvil, whose unlocked dev accounts sign.
 */
class WalletSignInTest extends PlazaBrowserTest {

    private static final String PROVIDER = """
            (() => {
              const rpc = "%s";
              let id = 0;
              async function call(method, params) {
                const response = await fetch(rpc, { method: "POST", headers: { "Content-Type": "application/json" },
                  body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params || [] }) });
                const answer = await response.json();
                if (answer.error) { const e = new Error(answer.error.message); e.code = answer.error.code; throw e; }
                return answer.result;
              }
              window.ethereum = {
                isTestWallet: true,
                request: async ({ method, params }) => {
                  if (method === "eth_requestAccounts") { return (await call("eth_accounts")).slice(1, 2); }
                  if (method === "wallet_switchEthereumChain") { return null; }
                  if (method === "personal_sign" && !/^0x[0-9a-fA-F]*$/.test(params[0])) {
                    // Like MetaMask, accept UTF-8 text; anvil wants it as hex.
                    const hex = Array.from(new TextEncoder().encode(params[0]), b => b.toString(16).padStart(2, "0")).join("");
                    return call(method, ["0x" + hex, params[1]]);
                  }
                  return call(method, params);
                },
              };
            })();
            """;

    @Test
    void signsInWithAWalletAndGetsAnAccount() {
        String anvil = System.getenv().getOrDefault("PLAZA_ANVIL_URL", "http://127.0.0.1:8545");
        driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", PROVIDER.formatted(anvil)));
        open("/login");
        screenshot("wallet-login");
        driver.findElement(By.id("wallet-sign-in")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav-profile")));
        String username = driver.findElement(By.id("nav-profile")).getText();
        assertTrue(username.startsWith("eth-"), "a wallet account was created and signed in: " + username);

        open("/profile");
        String profile = visible(By.id("wallets")).getText();
        screenshot("wallet-profile");
        assertTrue(profile.matches("(?s).*0x[0-9a-f]{40}.*"), "the profile lists the linked wallet: " + profile);
    }
}
