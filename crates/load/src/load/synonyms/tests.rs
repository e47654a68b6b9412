//! Unit tests of `load/synonyms.rs`.

use super::*;

#[test]
fn keys() {
    assert_eq!(key("Deal - Title"), "dealtitle");
    assert_eq!(key("Probability (%)"), "probability");
    assert_eq!(key(" 商机 名称 "), "商机名称");
}

#[test]
fn compound_and_foreign_headers() {
    let a = |h: &str| alt_key(h);
    assert_eq!(a("StageName__c").as_deref(), Some("stagename"));
    assert_eq!(a("Reason_For_Loss__s").as_deref(), Some("reasonforloss"));
    assert_eq!(a("Owner.Name").as_deref(), Some("owner"));
    assert_eq!(a("Owner__r.Name").as_deref(), Some("owner"));
    assert_eq!(a("Account_Name__name").as_deref(), Some("accountname"));
    assert_eq!(a("Owner.Id").as_deref(), Some("ownerid"));
    assert_eq!(
        a("Opportunity.External_Id__c").as_deref(),
        Some("opportunityexternalid")
    );
    assert_eq!(a("Negocio - Título").as_deref(), Some("titulo"));
    assert_eq!(a("Etapa del negocio").as_deref(), Some("etapa"));
    assert_eq!(a("Название сделки").as_deref(), Some("название"));
    assert_eq!(a("Amount"), None);
    assert_eq!(key("Fecha de creación"), "fechadecreacion");
    assert_eq!(key("Étape"), "etape");
}

#[test]
fn synonym_fields_are_canonical_or_pseudo() {
    for t in Table::ALL {
        for (f, keys) in for_table(t) {
            assert!(t.field(f).is_some() || PSEUDO.contains(f), "{t}.{f}");
            for k in *keys {
                assert_eq!(&key(k), k, "synonym {k} is not in key form");
            }
        }
    }
}
