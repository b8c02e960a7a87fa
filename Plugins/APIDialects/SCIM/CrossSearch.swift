// POST /.search at the mount (RFC 7644 §3.4.3): one search over every
// resource type, Users first, then Groups, each in creation order, paged
// as one list.
import PluginKit
import ProteusJSON

struct CrossSearch {
    let users: UserRoutes
    let groups: GroupRoutes
    let options: SCIMOptions

    func search(_ request: Request, _ response: Response) throws {
        let parameters = try ListParameters(search: try SCIMWire.bodyObject(request), maxResults: options.maxResults)
        let offset = parameters.startIndex - 1
        let (userTotal, userPage) = try users.page(parameters.filter, offset: offset, limit: parameters.count)
        let matchingGroups = try groups.matching(parameters.filter, request)
        let groupOffset = max(0, offset - Int(clamping: userTotal))
        let groupPage = Array(matchingGroups.dropFirst(groupOffset).prefix(parameters.count - userPage.count))
        let resources = try users.resources(userPage, parameters.projection, request)
            + groups.resources(groupPage, parameters.projection, request)
        SCIMWire.send(response, 200, ListParameters.listResponse(total: userTotal + UInt64(matchingGroups.count),
                                                                 startIndex: parameters.startIndex, resources: resources))
    }
}
