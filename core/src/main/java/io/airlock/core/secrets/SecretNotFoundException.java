package io.airlock.core.secrets;

import io.airlock.core.AirlockException;

/** The tenant has no secret of that name. Another tenant's secret of that name is not found either. */
public final class SecretNotFoundException extends AirlockException {
    public SecretNotFoundException(String name) {
        super("no secret named '" + name + "' in this tenant's vault; list them with GET /v1/secrets");
    }
}
