package ai.aicrypto.plaza.ui;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.openqa.selenium.chrome.ChromeDriver;

/**
 * A test wallet for the browser: an EIP-1193 provider put in place before the page's scripts run
 * (DevTools Page.addScriptToEvaluateOnNewDocument), forwarding every request to anvil, whose
 * unlocked dev accounts sign (personal_sign, eth_signTypedData_v4, eth_sendTransaction). The
 * wallet offers one dev account, chosen by index.
 */
final class TestWallet {

    private static final String PROVIDER = """
            (() => {
              const rpc = "%s";
              const accountIndex = %d;
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
                  if (method === "eth_requestAccounts" || method === "eth_accounts") {
                    return (await call("eth_accounts")).slice(accountIndex, accountIndex + 1);
                  }
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
    /** Anvil's dev accounts (default mnemonic) by index. */
    static final String[] ADDRESSES = {
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
            "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
            "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65", "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
            "0x976ea74026e726554db657fa54763abd0c3a0aa9", "0x14dc79964da2c08b23698b3d3cc7ca32193d9955",
            "0x23618e81e3f5cdf7f54c3d65f7fbc0abf5b21e8f", "0xa0ee7a142d267c1f36714e4a8f75612f20a79720"};

    private TestWallet() {
    }

    static String anvilUrl() {
        return System.getenv().getOrDefault("PLAZA_ANVIL_URL", "http://127.0.0.1:8545");
    }

    /** Installs the wallet for every page loaded from now on; returns the script's id for {@link #remove}. */
    static String install(ChromeDriver driver, int accountIndex) {
        Map<String, Object> answer = driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", PROVIDER.formatted(anvilUrl(), accountIndex)));
        return (String) answer.get("identifier");
    }

    static void remove(ChromeDriver driver, String scriptId) {
        driver.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", scriptId));
    }

    /** AIC balance in wei, read from the chain (the deployment file that ops/test passes). */
    static BigInteger aicBalance(String address) throws IOException, InterruptedException {
        String data = "0x70a08231" + "0".repeat(24) + address.substring(2);
        String result = rpc("eth_call", "[{\"to\":\"" + contract("AICToken") + "\",\"data\":\"" + data + "\"},\"latest\"]");
        return new BigInteger(result.substring(2), 16);
    }

    private static String contract(String name) throws IOException {
        String file = System.getenv("PLAZA_CHAIN_DEPLOYMENT");
        if (file == null) {
            throw new IllegalStateException("PLAZA_CHAIN_DEPLOYMENT is not set (ops/test sets it)");
        }
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"(0x[0-9a-fA-F]{40})\"").matcher(Files.readString(Path.of(file)));
        if (!m.find()) {
            throw new IllegalStateException(file + " names no " + name);
        }
        return m.group(1);
    }

    private static String rpc(String method, String params) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(anvilUrl()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}"))
                .build();
        String body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"result\"\\s*:\\s*\"(0x[0-9a-fA-F]*)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException(method + " failed: " + body);
        }
        return m.group(1);
    }
}
