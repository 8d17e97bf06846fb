//! Unix seconds written as the services write dates: CI's Beijing-time
//! `2019-11-15T12:12:12+0800`, and the credential services' ISO-8601 UTC
//! `2023-06-14T05:06:57Z`.

/// A calendar date and time of day, in whatever zone `unix` was shifted to.
struct Civil {
    year: i64,
    month: i64,
    day: i64,
    secs_of_day: i64,
}

/// Splits Unix seconds (already shifted to the wanted zone) into a civil
/// date and time, with Howard Hinnant's `civil_from_days`.
fn civil(unix: i64) -> Civil {
    let (days, secs_of_day) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil { year, month, day, secs_of_day }
}

/// `YYYY-MM-DDTHH:MM:SS`, the part both formats share.
fn date_time(c: &Civil) -> String {
    let s = c.secs_of_day;
    format!("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day, s / 3600, s / 60 % 60, s % 60)
}

/// Unix seconds as `2019-11-15T12:12:12+0800`, the CI service's time format.
pub fn beijing_time(unix: i64) -> String {
    date_time(&civil(unix + 8 * 3600)) + "+0800"
}

/// Unix seconds as `2023-06-14T05:06:57Z`, the `Expiration` of the metadata
/// service and STS (tencentcloud-sdk-go parses it as RFC 3339).
pub fn utc_iso8601(unix: i64) -> String {
    date_time(&civil(unix)) + "Z"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_match_the_services_examples() {
        assert_eq!(beijing_time(1_573_791_132), "2019-11-15T12:12:12+0800");
        assert_eq!(beijing_time(1_660_033_391), "2022-08-09T16:23:11+0800");
        // The pair in cos-go-sdk-v5's STS test answer.
        assert_eq!(utc_iso8601(1_686_719_217), "2023-06-14T05:06:57Z");
        assert_eq!(utc_iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_iso8601(951_782_400), "2000-02-29T00:00:00Z");
    }
}
