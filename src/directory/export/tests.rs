use super::*;

fn sf(text: &str) -> (Vec<SalesforceUser>, Vec<Notice>) {
    salesforce_from_bytes(text.as_bytes().to_vec()).unwrap()
}

fn ms(text: &str) -> (Vec<MicrosoftUser>, Vec<Notice>) {
    microsoft_from_bytes(text.as_bytes().to_vec()).unwrap()
}

#[test]
fn data_loader_export() {
    let (users, notices) = sf(concat!(
        "\"ID\",\"NAME\",\"USERNAME\",\"EMAIL\",\"ISACTIVE\",\"USERTYPE\",\"FEDERATIONIDENTIFIER\"\n",
        "\"005000000000001AAA\",\"Jane Doe\",\"jane@acme.com.sandbox\",\"jane@acme.com\",\"true\",\"Standard\",\"jane@acme.com\"\n",
        "\"005000000000002AAA\",\"Old Timer\",\"old@acme.com\",\"old@acme.com\",\"false\",\"Standard\",\"\"\n",
    ));
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(users.len(), 2);
    assert_eq!(
        users[0],
        SalesforceUser {
            id: "005000000000001AAA".into(),
            name: "Jane Doe".into(),
            username: "jane@acme.com.sandbox".into(),
            email: "jane@acme.com".into(),
            active: true,
            user_type: Some("Standard".into()),
            federation_id: Some("jane@acme.com".into()),
            line: Some(2),
        }
    );
    assert!(!users[1].active);
    assert_eq!(users[1].federation_id, None);
    assert_eq!(users[1].line, Some(3));
}

#[test]
fn report_export_with_title_footer_and_first_last_names() {
    let text = concat!(
        "\"Active users\"\r\n",
        "\r\n",
        "\"User ID\",\"First Name\",\"Last Name\",\"Username\",\"Email\",\"Active\"\r\n",
        "\"0050000000000Ab\",\"Ann\",\"Lee\",\"ann@acme.com\",\"ann@acme.com\",\"1\"\r\n",
        "\"0050000000000Ac\",\"\",\"Roe\",\"roe@acme.com\",\"roe@acme.com\",\"0\"\r\n",
        "\r\n",
        "\"Active users\"\r\n",
        "\"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\r\n",
    );
    let (users, notices) = sf(text);
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].name, "Ann Lee");
    assert_eq!(users[1].name, "Roe");
    assert_eq!((users[0].line, users[1].line), (Some(4), Some(5)));
    assert!(!users[1].active);
    let codes: Vec<&str> = notices.iter().map(|n| n.code).collect();
    assert_eq!(codes, vec!["header-moved", "report-footer"]);
    assert_eq!((notices[1].first_line, notices[1].last_line), (7, 8));
}

#[test]
fn semicolons_utf16_and_rows_without_id() {
    let text =
        "Id;Name;Username;Email\n;No Id;x@acme.com;x@acme.com\n005A;Zoë;z@acme.com;z@acme.com\n";
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let (users, notices) = salesforce_from_bytes(bytes).unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name, "Zoë");
    assert!(users[0].active, "no IsActive column: active");
    let codes: Vec<&str> = notices.iter().map(|n| n.code).collect();
    assert_eq!(codes, vec!["rows-left-out", "no-active-column"]);
    assert_eq!(notices[0].message, "line 2: no Id or no Username; left out");
}

#[test]
fn salesforce_errors_name_the_columns_line_and_what_to_do() {
    let e = salesforce_from_bytes(b"Id,Name,Email\n1,a,b\n".to_vec()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("no column for Username; headers found: \"Id\", \"Name\", \"Email\". SALESFORCE_USERS should be"), "{msg}");

    let e = salesforce_from_bytes(b"id,userPrincipalName,displayName,mail\n1,a@x,A,a@x\n".to_vec())
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("pass the Salesforce users export first"),
        "{e}"
    );

    let e = salesforce_from_bytes(
        b"Id,Name,Username,Email,IsActive\n1,a,u,e,true\n2,b,v,f,maybe\n".to_vec(),
    )
    .unwrap_err();
    let e = e.in_file(Path::new("users.csv"));
    assert_eq!(
        e.to_string(),
        "users.csv: line 3, column 5 (IsActive): \"maybe\" is not TRUE or FALSE; fix the cell, or export the column again unformatted"
    );

    let e = salesforce_from_bytes(b"\x00\x01binary".to_vec()).unwrap_err();
    assert!(matches!(
        e,
        ImportError::File(import::ImportError::Binary(_))
    ));
}

#[test]
fn entra_download_users() {
    let (users, notices) = ms(concat!(
        "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,accountEnabled\n",
        "jane@acme.onmicrosoft.com,Jane Doe,Doe,jane@acme.com,Jane,11111111-1111-1111-1111-111111111111,Member,,Sales,True\n",
        "guest_x.com#EXT#@acme.onmicrosoft.com,Guest,,guest@x.com,,22222222-2222-2222-2222-222222222222,Guest,,,True\n",
        "gone@acme.com,Gone,,,,33333333-3333-3333-3333-333333333333,Member,,,False\n",
    ));
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(users.len(), 3);
    assert_eq!(users[0].upn, "jane@acme.onmicrosoft.com");
    assert_eq!(users[0].mail.as_deref(), Some("jane@acme.com"));
    assert_eq!(users[0].id, "11111111-1111-1111-1111-111111111111");
    assert_eq!(users[0].proxy_addresses, None, "no column");
    assert!(users[1].is_guest());
    assert!(!users[2].enabled);
    assert_eq!(users[2].mail, None);
}

#[test]
fn get_mguser_export_csv_with_type_line_and_joined_proxies() {
    let (users, notices) = ms(concat!(
        "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\r\n",
        "\"Id\",\"DisplayName\",\"UserPrincipalName\",\"Mail\",\"AccountEnabled\",\"UserType\",\"ProxyAddresses\"\r\n",
        "\"1\",\"Jane\",\"jane@acme.com\",\"jane@acme.com\",\"True\",\"Member\",\"SMTP:jane@acme.com;smtp:jd@acme.com;SIP:jane@acme.com\"\r\n",
        "\"2\",\"Sam\",\"sam@acme.com\",\"\",\"True\",\"Member\",\"SMTP:sam@acme.com smtp:sam+news@acme.com\"\r\n",
        "\"3\",\"Kim\",\"kim@acme.com\",\"\",\"True\",\"Member\",\"\"\r\n",
    ));
    assert_eq!(
        notices.iter().map(|n| n.code).collect::<Vec<_>>(),
        vec!["header-moved"]
    );
    assert_eq!(
        users[0].smtp_addresses().collect::<Vec<_>>(),
        vec!["jane@acme.com", "jd@acme.com"]
    );
    assert_eq!(
        users[1].smtp_addresses().collect::<Vec<_>>(),
        vec!["sam@acme.com", "sam+news@acme.com"]
    );
    assert_eq!(users[1].primary_smtp(), Some("sam@acme.com"));
    assert_eq!(users[2].proxy_addresses, Some(vec![]));
    assert_eq!(users[0].line, Some(3));
}

#[test]
fn system_string_array_makes_the_column_unusable_not_a_crash() {
    let (users, notices) = ms(concat!(
        "#TYPE Microsoft.Graph.PowerShell.Models.MicrosoftGraphUser\n",
        "Id,DisplayName,UserPrincipalName,Mail,AccountEnabled,ProxyAddresses\n",
        "1,Jane,jane@acme.com,jane@acme.com,True,SMTP:jane@acme.com\n",
        "2,Sam,sam@acme.com,,True,System.String[]\n",
    ));
    assert!(users.iter().all(|u| u.proxy_addresses.is_none()));
    let n = notices
        .iter()
        .find(|n| n.code == "proxy-addresses-unusable")
        .unwrap();
    assert_eq!(n.first_line, 4);
    assert!(
        n.message
            .starts_with("column 6 (ProxyAddresses) holds \"System.String[]\" from line 4"),
        "{}",
        n.message
    );
}

#[test]
fn admin_center_export_blocked_sign_in_and_plus_joined_proxies() {
    let (users, notices) = ms(concat!(
        "Block credential,Display name,User principal name,Proxy addresses,Licenses\n",
        "False,Ann,ann@acme.com,SMTP:ann@acme.com+smtp:ann.lee@acme.com,E3\n",
        "True,Bo,bo@acme.com,,E3\n",
    ));
    assert!(notices.is_empty(), "{notices:?}");
    assert!(users[0].enabled);
    assert!(!users[1].enabled);
    assert_eq!(
        users[0].smtp_addresses().collect::<Vec<_>>(),
        vec!["ann@acme.com", "ann.lee@acme.com"]
    );
}

#[test]
fn microsoft_errors() {
    let e = microsoft_from_bytes(b"Id,Name,Username,Email,IsActive\n1,a,b,c,true\n".to_vec())
        .unwrap_err();
    let msg = e.to_string();
    assert!(msg.starts_with("no column for userPrincipalName;"), "{msg}");
    assert!(
        msg.ends_with("pass the Salesforce users export first, then the Microsoft 365 one"),
        "{msg}"
    );
    let e = microsoft_from_bytes(b"userPrincipalName,accountEnabled\na@x,sometimes\n".to_vec())
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("line 2, column 2 (accountEnabled): \"sometimes\""),
        "{e}"
    );
    let (users, notices) = ms("userPrincipalName,displayName\n,No UPN\nb@x,B\n");
    assert_eq!(users.len(), 1);
    assert_eq!(
        notices.iter().map(|n| n.code).collect::<Vec<_>>(),
        vec!["rows-left-out", "no-enabled-column"]
    );
}

#[test]
fn proxy_address_splitting() {
    assert_eq!(
        split_proxy_addresses("SMTP:a@x;smtp:b@x"),
        vec!["SMTP:a@x", "smtp:b@x"]
    );
    assert_eq!(
        split_proxy_addresses("[\"SMTP:a@x\", \"smtp:b@x\"]"),
        vec!["SMTP:a@x", "smtp:b@x"]
    );
    assert_eq!(
        split_proxy_addresses("{SMTP:a@x, X500:/o=Org/cn=a}"),
        vec!["SMTP:a@x", "X500:/o=Org/cn=a"]
    );
    assert_eq!(
        split_proxy_addresses("SMTP:a+b@x+smtp:c@x"),
        vec!["SMTP:a+b@x", "smtp:c@x"]
    );
    assert_eq!(split_proxy_addresses("  "), Vec::<String>::new());
}
