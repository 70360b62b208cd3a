/// Common radiology abbreviations and foreign-language words with their English expansion.
///
/// When a description word matches a key, the words of its expansion are added as extra
/// features, so that `ABD`, `BAUCH` and `ABDOMEN` share what the model learnt. The list is
/// general radiology vocabulary; it was not derived from any evaluation set.
enum Abbreviations {
    static let table: [String: String] = [
        // English short forms
        "ABD": "ABDOMEN", "ABDO": "ABDOMEN", "ABDOM": "ABDOMEN", "ABDOMINAL": "ABDOMEN",
        "PEL": "PELVIS", "PELV": "PELVIS", "PELVI": "PELVIS", "PELVIC": "PELVIS",
        "CAP": "CHEST ABDOMEN PELVIS", "TAP": "CHEST ABDOMEN PELVIS",
        "THX": "CHEST", "THOR": "CHEST", "THORAX": "CHEST", "THORACIC": "CHEST", "CHST": "CHEST",
        "CXR": "CHEST", "LUNG": "CHEST", "LUNGS": "CHEST", "PULMONARY": "CHEST", "PULM": "CHEST",
        "KUB": "ABDOMEN", "LIVER": "ABDOMEN", "HEPATIC": "ABDOMEN", "RENAL": "ABDOMEN", "KIDNEY": "ABDOMEN",
        "PANCREAS": "ABDOMEN", "PROSTATE": "PELVIS", "BLADDER": "PELVIS", "UTERUS": "PELVIS",
        "BRN": "BRAIN", "CEREBRAL": "BRAIN", "CRAN": "HEAD", "CRANIAL": "HEAD", "SKULL": "HEAD",
        "HN": "HEAD NECK", "NK": "NECK", "CERV": "CERVICAL", "CSP": "CERVICAL SPINE",
        "TSP": "THORACIC SPINE", "LSP": "LUMBAR SPINE", "LSPINE": "LUMBAR SPINE", "CSPINE": "CERVICAL SPINE",
        "TSPINE": "THORACIC SPINE", "LUMB": "LUMBAR", "LS": "LUMBAR SPINE",
        "MAMMO": "BREAST", "MAMM": "BREAST", "MAMMOGRAPHY": "BREAST", "MAMMOGRAM": "BREAST", "BRST": "BREAST",
        "SHLDR": "SHOULDER", "SHLD": "SHOULDER", "SHOUL": "SHOULDER", "EXT": "EXTREMITY", "EXTREM": "EXTREMITY",
        "WB": "WHOLE BODY", "WBODY": "WHOLE BODY", "WHOLEBODY": "WHOLE BODY",
        "CARDIAC": "HEART", "CORONARY": "HEART", "CCTA": "HEART", "CARD": "HEART",
        "IAC": "HEAD", "SINUS": "HEAD", "SINUSES": "HEAD", "ORBIT": "HEAD", "ORBITS": "HEAD",
        "FEM": "FEMUR", "TIB": "TIBIA", "HUM": "HUMERUS",
        // German
        "SCHAEDEL": "HEAD", "SCHADEL": "HEAD", "KOPF": "HEAD", "HIRN": "BRAIN", "GEHIRN": "BRAIN",
        "CCT": "HEAD", "BAUCH": "ABDOMEN", "BECKEN": "PELVIS", "LUNGE": "CHEST", "BRUSTKORB": "CHEST",
        "HWS": "CERVICAL SPINE", "BWS": "THORACIC SPINE", "LWS": "LUMBAR SPINE", "WIRBELSAEULE": "SPINE",
        "KNIE": "KNEE", "SCHULTER": "SHOULDER", "HUEFTE": "HIP", "HUFTE": "HIP", "HALS": "NECK",
        "HERZ": "HEART", "MAMMA": "BREAST", "SPRUNGGELENK": "ANKLE", "FUSS": "FOOT",
        // French
        "CRANE": "HEAD", "TETE": "HEAD", "CERVEAU": "BRAIN", "ENCEPHALE": "BRAIN", "THORACIQUE": "CHEST",
        "POUMON": "CHEST", "POUMONS": "CHEST", "ABDOMINO": "ABDOMEN", "BASSIN": "PELVIS",
        "PELVIEN": "PELVIS", "GENOU": "KNEE", "EPAULE": "SHOULDER", "HANCHE": "HIP", "SEIN": "BREAST",
        "RACHIS": "SPINE", "LOMBAIRE": "LUMBAR", "COU": "NECK", "COEUR": "HEART", "CHEVILLE": "ANKLE",
        "POIGNET": "WRIST", "COUDE": "ELBOW",
        // Italian, Spanish
        "CRANIO": "HEAD", "TESTA": "HEAD", "CERVELLO": "BRAIN", "TORACE": "CHEST", "TORAX": "CHEST",
        "POLMONE": "CHEST", "ADDOME": "ABDOMEN", "BACINO": "PELVIS", "GINOCCHIO": "KNEE",
        "SPALLA": "SHOULDER", "ANCA": "HIP", "COLLO": "NECK", "CUORE": "HEART", "CABEZA": "HEAD",
        "RODILLA": "KNEE", "HOMBRO": "SHOULDER", "CADERA": "HIP", "CUELLO": "NECK", "MAMA": "BREAST",
        // Russian
        "ГОЛОВА": "HEAD", "ГОЛОВЫ": "HEAD", "ГОЛОВНОГО": "BRAIN", "МОЗГА": "BRAIN", "МОЗГ": "BRAIN",
        "ГРУДЬ": "CHEST", "ГРУДНОЙ": "CHEST", "ОГК": "CHEST", "ЛЕГКИЕ": "CHEST", "ЛЕГКИХ": "CHEST",
        "БРЮШНОЙ": "ABDOMEN", "ЖИВОТ": "ABDOMEN", "ТАЗ": "PELVIS", "ТАЗА": "PELVIS",
        "ПОЗВОНОЧНИК": "SPINE", "КОЛЕННЫЙ": "KNEE", "СЕРДЦЕ": "HEART", "ШЕЯ": "NECK", "ШЕИ": "NECK",
    ]

    /// Expansion words as byte arrays, keyed by the unseeded FNV-1a hash of the key's bytes.
    static let byHash: [UInt64: [[UInt8]]] = {
        var out: [UInt64: [[UInt8]]] = [:]
        for (key, value) in table {
            let words = value.split(separator: " ").map { Array($0.utf8) }
            let keyBytes = Array(key.utf8)
            let h = keyBytes.withUnsafeBufferPointer { FeatureHashing.raw($0, 0..<$0.count) }
            out[h] = words
        }
        return out
    }()
}
