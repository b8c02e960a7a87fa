// Every route of the seed page (FastAPI's generated docs of Cortex Hub's
// ai-hub users router), relative to the mount (/api/v1 in the original),
// plus /openapi.json. One route per path; the method picks the operation.
enum Endpoint: Int, CaseIterable {
    case login, loginCallback, me, loginLocal, password, profile, config, models, providers
    case verifyLLM, verifyTTS, verifySTT, logout, export, importConfig
    case adminUsers, userRole, userGroup, groups, group, openAPI

    var path: String {
        switch self {
        case .login: return "/users/login"
        case .loginCallback: return "/users/login/callback"
        case .me: return "/users/me"
        case .loginLocal: return "/users/login/local"
        case .password: return "/users/password"
        case .profile: return "/users/me/profile"
        case .config: return "/users/me/config"
        case .models: return "/users/me/config/models"
        case .providers: return "/users/me/config/providers"
        case .verifyLLM: return "/users/me/config/verify_llm"
        case .verifyTTS: return "/users/me/config/verify_tts"
        case .verifySTT: return "/users/me/config/verify_stt"
        case .logout: return "/users/logout"
        case .export: return "/users/me/config/export"
        case .importConfig: return "/users/me/config/import"
        case .adminUsers: return "/users/admin/users"
        case .userRole: return "/users/admin/users/{uid}/role"
        case .userGroup: return "/users/admin/users/{uid}/group"
        case .groups: return "/users/admin/groups"
        case .group: return "/users/admin/groups/{gid}"
        case .openAPI: return "/openapi.json"
        }
    }

    var methods: [String] {
        switch self {
        case .login, .loginCallback, .me, .models, .providers, .export, .adminUsers, .openAPI: return ["GET"]
        case .loginLocal, .verifyLLM, .verifyTTS, .verifySTT, .logout, .importConfig: return ["POST"]
        case .password, .userRole, .userGroup: return ["PUT"]
        case .profile, .config: return ["GET", "PUT"]
        case .groups: return ["GET", "POST"]
        case .group: return ["PUT", "DELETE"]
        }
    }
}
