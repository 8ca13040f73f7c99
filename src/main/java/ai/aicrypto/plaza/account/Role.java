package ai.aicrypto.plaza.account;

public enum Role {
    MEMBER, ADMIN;

    public String authority() {
        return "ROLE_" + name();
    }
}
