package io.qontrek.factorydr.schedule;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.quartz.CronExpression;

class CronCheckTest {
    @ParameterizedTest
    @ValueSource(strings = {"0 0 3 ? * SUN", "0 15/30 * * * ?", "0 0 2 * * ?", "0 0 6 1 1,4,7,10 ?", "0 0 3 L-3 * ?",
        "0 0 3 ? * 6#3", "0 0 3 ? * 5L", "0 0 3 15W * ?", "0 0 0-23/2 * * ?", "59 59 23 31 12 ? 2099", "0 0 3 ? JAN-MAR MON-FRI",
        "0 0 3 ? * 6L", "0 0 3 LW * ?", "0 0 3 ? * SUN#3", "0 0 10-20/5 * * ?", "0 0 22-2 * * ?"})
    void cronsQuartzRunsAsWrittenPass(String cron) {
        assertThatCode(() -> CronCheck.validate(cron)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0 0 99 * * ?|hour value 99", "99 0 3 * * ?|second value 99", "0 0 3,99 * * ?|hour value 99",
        "0 0 3 99 * ?|day-of-month value 99", "0 0 3 ? * 99|day-of-week value 99"})
    void outOfRangeValuesQuartzLetsThroughAreRefused(String cron, String why) throws Exception {
        CronExpression.validateExpression(cron); // Quartz itself takes it: the reason this check exists
        assertThatThrownBy(() -> CronCheck.validate(cron)).isInstanceOf(ParseException.class).hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 3 31 2 ?", "0 0 3 ? * SUN 2025", "59 59 23 31 12 ? 2199"})
    void cronsThatNeverFireFromNowOnAreRefused(String cron) throws Exception {
        CronExpression.validateExpression(cron); // Quartz takes them, and would never run the flow
        assertThatThrownBy(() -> CronCheck.validate(cron)).isInstanceOf(ParseException.class).hasMessageContaining("never fires");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 0 24 * * ?", "0 0 3-99 * * ?", "0 0 3 * * SUN", "not a cron", "0 0/90 3 * * ?"})
    void whatQuartzRefusesStaysRefused(String cron) {
        assertThatThrownBy(() -> CronCheck.validate(cron)).isInstanceOf(ParseException.class);
    }
}
