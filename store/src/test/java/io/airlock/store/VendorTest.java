package io.airlock.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.InvalidRequestException;
import org.junit.jupiter.api.Test;

class VendorTest {

    @Test
    void of_tellsVendorsApartByUrl() {
        assertThat(Vendor.of("jdbc:sqlite:/var/lib/airlock/airlock.db")).isEqualTo(Vendor.SQLITE);
        assertThat(Vendor.of("jdbc:postgresql://db:5432/airlock?user=a")).isEqualTo(Vendor.POSTGRESQL);
        assertThat(Vendor.SQLITE.folder()).isEqualTo("sqlite");
        assertThat(Vendor.POSTGRESQL.folder()).isEqualTo("postgresql");
    }

    @Test
    void of_unknownUrl_namesTheField() {
        assertThatThrownBy(() -> Vendor.of("jdbc:h2:mem:x"))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.field()).isEqualTo("jdbcUrl"));
    }

    @Test
    void driverProperties_leaveOutWhatTheUrlSets() {
        assertThat(Vendor.SQLITE.driverProperties("jdbc:sqlite:a.db"))
                .containsEntry("journal_mode", "WAL")
                .containsEntry("busy_timeout", "5000")
                .containsEntry("foreign_keys", "true")
                .containsEntry("transaction_mode", "IMMEDIATE");
        assertThat(Vendor.SQLITE.driverProperties("jdbc:sqlite:a.db?busy_timeout=9000&foreign_keys=on"))
                .doesNotContainKeys("busy_timeout", "foreign_keys")
                .containsKeys("journal_mode", "transaction_mode");
        assertThat(Vendor.POSTGRESQL.driverProperties("jdbc:postgresql://db/airlock")).isEmpty();
    }

    @Test
    void redact_dropsParameters() {
        assertThat(Vendor.redact("jdbc:postgresql://db/airlock?user=a&password=b")).isEqualTo("jdbc:postgresql://db/airlock?…");
        assertThat(Vendor.redact("jdbc:sqlite:a.db")).isEqualTo("jdbc:sqlite:a.db");
    }
}
