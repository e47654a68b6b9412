//! Stage pipelines and outcome labels.

use super::Status;

/// Labels that mean won, lost or invalid, compared after dropping case, punctuation, spaces and
/// diacritics (`Closed-Lost to Competition`, `closed lost to competition` and
/// `ClosedLostToCompetition` are one label). English, Chinese, Spanish, Portuguese, French,
/// German and Russian.
const WON: &[&str] = &[
    "closedwon",
    "won", // not a KPI: a status word
    "wonclosed",
    "赢单",
    "成交",
    "已成交",
    "赢单成交",
    "已签约",
    "ganada",
    "ganado",
    "cerradaganada",
    "cerradoganado",
    "ganho",
    "ganha",
    "fechadoganho",
    "fechadaganha",
    "gagne",
    "gagnee",
    "fermegagne",
    "gewonnen",
    "abgeschlossengewonnen",
    "выиграна",
    "выиграно",
    "выигран",
    "успешно",
    "сделкауспешна",
    "успешнореализовано",
    "dealsuccessful",
    "cierreganado",
    "negocioganado",
    "fechadoeganho",
    "dealwon",
    "сделказаключена",
];
const LOST: &[&str] = &[
    "closedlost",
    "lost", // not a KPI: a status word
    "lostclosed",
    "closedlosttocompetition",
    "输单",
    "丢单",
    "已输单",
    "perdida",
    "perdido",
    "cerradaperdida",
    "cerradoperdido",
    "descartada",
    "descartado",
    "fechadoperdido",
    "fechadaperdida",
    "perdu",
    "perdue",
    "fermeperdu",
    "verloren",
    "abgeschlossenverloren",
    "проиграна",
    "проиграно",
    "проигран",
    "провалена",
    "сделкапровалена",
    "закрытаипроиграна",
    "закрытоинереализовано",
    "dealfailed",
    "abandoned",
    "cierreperdido",
    "negocioperdido",
    "fechadoeperdido",
    "deallost",
    "analyzefailure",
    "анализпричиныпровала",
];
const INVALID: &[&str] = &["无效", "invalid"];

/// A label as compared with the outcome lists.
fn label_key(s: &str) -> String {
    super::keys::key(s)
}

/// Outcome labels, extendable from the config (`won_labels`, `lost_labels`, `invalid_labels`).
#[derive(Debug, Clone, Default)]
pub struct Outcomes {
    pub won: Vec<String>,
    pub lost: Vec<String>,
    pub invalid: Vec<String>,
}

impl Outcomes {
    /// The status a stage label implies: Open when it is no outcome label.
    pub fn status_of(&self, stage: &str) -> Status {
        let s = label_key(stage);
        if s.is_empty() {
            return Status::Open;
        }
        let hit = |builtin: &[&str], extra: &[String]| {
            builtin.iter().any(|w| *w == s) || extra.iter().any(|w| label_key(w) == s)
        };
        if hit(WON, &self.won) {
            Status::Won
        } else if hit(LOST, &self.lost) {
            Status::Lost
        } else if hit(INVALID, &self.invalid) {
            Status::Invalid
        } else {
            Status::Open
        }
    }

    /// Read a status column value (`Open`, `Won`, `Lost`, `deleted`, `赢单`...).
    pub fn parse_status(&self, v: &str) -> Option<Status> {
        let s = label_key(v);
        match s.as_str() {
            "open" | "active" | "进行中" | "跟进中" | "abierta" | "abierto" | "aberta" // not a KPI: a status word
            | "aberto" | "ouverte" | "ouvert" | "offen" | "открыта" | "inprogress"
            | "enproceso" | "emandamento" | "encours" | "вработе" => Some(Status::Open),
            // Pipedrive's deleted deals: neither won nor lost
            "deleted" | "eliminado" | "excluido" | "supprime" | "geloscht" | "удалена" => {
                Some(Status::Invalid)
            }
            "invalid" => Some(Status::Invalid),
            _ => match self.status_of(&s) {
                Status::Open => None,
                st => Some(st),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_labels_en_and_zh() {
        let o = Outcomes::default();
        for w in ["Closed Won", "won", "赢单", "成交", " WON "] {
            assert_eq!(o.status_of(w), Status::Won, "{w}");
        }
        for l in [
            "Closed Lost",
            "Lost",
            "输单",
            "丢单",
            "Closed Lost to Competition",
        ] {
            assert_eq!(o.status_of(l), Status::Lost, "{l}");
        }
        assert_eq!(o.status_of("无效"), Status::Invalid);
        // Zoho's default lost label with its hyphen, and outcome words in other languages
        assert_eq!(o.status_of("Closed-Lost to Competition"), Status::Lost);
        assert_eq!(o.status_of("Closed_Won"), Status::Won);
        for l in [
            "Perdida",
            "Pérdida",
            "Descartada",
            "Perdu",
            "Verloren",
            "Проиграна",
        ] {
            assert_eq!(o.status_of(l), Status::Lost, "{l}");
        }
        for w in ["Ganada", "Ganho", "Gagné", "Gewonnen", "Успешно"] {
            assert_eq!(o.status_of(w), Status::Won, "{w}");
        }
        assert_eq!(o.status_of("Negotiation/Review"), Status::Open);
    }

    #[test]
    fn config_labels_extend_the_builtins() {
        let o = Outcomes {
            won: vec!["Signed".into()],
            lost: vec![],
            invalid: vec!["Spam".into()],
        };
        assert_eq!(o.status_of("signed"), Status::Won);
        assert_eq!(o.status_of("SPAM"), Status::Invalid);
    }

    #[test]
    fn status_column_values() {
        let o = Outcomes::default();
        assert_eq!(o.parse_status("Open"), Some(Status::Open));
        assert_eq!(o.parse_status("Won"), Some(Status::Won));
        assert_eq!(o.parse_status("lost"), Some(Status::Lost));
        assert_eq!(o.parse_status("maybe"), None);
    }
}
