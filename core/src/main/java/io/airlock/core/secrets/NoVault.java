package io.airlock.core.secrets;

import io.airlock.core.AirlockException;
import io.airlock.core.InvalidRequestException;
import java.util.Collection;
import java.util.List;

/** A vault with nothing in it and no way to add anything: for servers and tests wired without a store. */
final class NoVault implements Vault {
    @Override
    public SecretInfo put(String tenant, String name, String value) {
        throw new AirlockException("this server has no secrets vault configured");
    }

    @Override
    public List<SecretInfo> list(String tenant) {
        return List.of();
    }

    @Override
    public SecretInfo info(String tenant, String name) {
        throw new SecretNotFoundException(name);
    }

    @Override
    public void delete(String tenant, String name) {
        throw new SecretNotFoundException(name);
    }

    @Override
    public SecretValues resolve(String tenant, Collection<String> names, String field) {
        Vault.checkNames(field, names);
        if (!names.isEmpty()) {
            throw new InvalidRequestException(field, "this server has no secrets vault; leave " + field + " out");
        }
        return SecretValues.none();
    }

    @Override
    public void recordUses(String tenant, Collection<String> names, String sandboxId, SecretUse.Scope scope, String actor) {}

    @Override
    public List<SecretUse> uses(String tenant, String name, int limit) {
        throw new SecretNotFoundException(name);
    }
}
