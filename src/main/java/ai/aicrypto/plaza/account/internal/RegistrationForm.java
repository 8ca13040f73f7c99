package ai.aicrypto.plaza.account.internal;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

record RegistrationForm(
        @NotBlank @Size(min = 3, max = 40) @Pattern(regexp = "[A-Za-z0-9_.-]*")
        String username,
        @NotBlank @Email @Size(max = 254)
        String email,
        @NotBlank @Size(max = 80)
        String displayName,
        @NotBlank @Size(min = 10, max = 128)
        String password) {

    static RegistrationForm empty() {
        return new RegistrationForm("", "", "", "");
    }
}
