"""The user-interface strings of editing: curation and its history, sign-in, proposals,
review and comments, Chinese and English, by key (merged into
:data:`corridor_map.core.ui_strings.UI_STRINGS`, read through
:func:`corridor_map.core.i18n.t`).

Each area keeps its strings between its two marker comments, so that changes to
different areas do not touch the same lines.
"""

from __future__ import annotations

__all__ = ["EDITING_STRINGS"]

EDITING_STRINGS: dict[str, dict[str, str]] = {
    # --- curation and history (issue 23) ---
    "curate_title": {"zh": "数据编辑与修改记录", "en": "Curation and history"},
    "curate_read_only": {
        "zh": "只读：数据维护未开启，请联系管理员（其在设置中开启 CORRIDOR_MAP_CURATION=on）。",
        "en": (
            "Read-only: curation is switched off; ask an administrator "
            "(who switches it on with CORRIDOR_MAP_CURATION=on)."
        ),
    },
    "curate_feature": {"zh": "要素", "en": "Feature"},
    "curate_version": {"zh": "版本", "en": "Version"},
    "curate_geometry": {
        "zh": "用官方文件替换几何",
        "en": "Replace the geometry from an official file",
    },
    "curate_upload": {
        "zh": "文件（Shapefile 压缩包、GeoPackage、KML、CSV、GeoJSON）",
        "en": "File (zipped Shapefile, GeoPackage, KML, CSV, GeoJSON)",
    },
    "curate_crs": {"zh": "坐标系", "en": "Coordinate system"},
    "curate_pick": {
        "zh": "选取文件中的要素（按其属性）",
        "en": "Pick the file's feature (by its attributes)",
    },
    "curate_no_geometry": {"zh": "无几何", "en": "no geometry"},
    "curate_preview": {"zh": "预览（测地量算）", "en": "Preview (geodesic measures)"},
    "curate_supplier": {"zh": "提供单位", "en": "Supplied by"},
    "curate_reference": {"zh": "文号", "en": "Reference (文号)"},
    "curate_date": {"zh": "日期", "en": "Date"},
    "curate_precision": {"zh": "精度（米）", "en": "Precision (m)"},
    "curate_reason": {"zh": "修改理由（必填）", "en": "Reason (required)"},
    "curate_source": {"zh": "依据来源", "en": "Source it rests on"},
    "curate_save": {"zh": "校验并保存", "en": "Validate and save"},
    "curate_saved": {"zh": "已保存并发布：修改", "en": "Saved and published: change"},
    "curate_history": {"zh": "修改记录", "en": "History"},
    "curate_no_changes": {"zh": "尚无修改记录。", "en": "No change recorded yet."},
    "curate_revert": {"zh": "撤销一项修改", "en": "Revert a change"},
    "curate_revert_change": {"zh": "修改编号", "en": "Change id"},
    "curate_revert_button": {"zh": "撤销（新增一条记录）", "en": "Revert (as a new change)"},
    "curate_col_id": {"zh": "编号", "en": "Id"},
    "curate_col_time": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "curate_col_author": {"zh": "修改人", "en": "Author"},
    "curate_col_kind": {"zh": "类型", "en": "Kind"},
    "curate_col_reason": {"zh": "理由", "en": "Reason"},
    "curate_col_source": {"zh": "来源", "en": "Source"},
    "curate_col_before": {"zh": "修改前", "en": "Before"},
    "curate_col_after": {"zh": "修改后", "en": "After"},
    "curate_needs_curator": {
        "zh": "修改需要以审定人（curator）身份登录。",
        "en": "Changes need a signed-in curator.",
    },
    "curate_links": {
        "zh": "文件中提到的地点（自动建议）",
        "en": "Places a document names (proposed)",
    },
    "curate_links_doc": {"zh": "文件", "en": "Document"},
    "curate_links_count": {
        "zh": "共 {total} 条建议，其中 {fresh} 条尚未引用",
        "en": "{total} proposals, {fresh} not yet cited",
    },
    "curate_links_accept": {"zh": "采纳", "en": "Accept"},
    "curate_links_reason": {
        "zh": "采纳自动关联建议（原文逐字）",
        "en": "accepted a proposed link (verbatim text)",
    },
    # --- end of curation strings ---
    # --- bureaus: sign-in, comments and review (issue 24) ---
    "signed_in_as": {"zh": "已登录：", "en": "Signed in as"},
    "signed_in_via_oidc": {
        "zh": "经单位身份认证登录",
        "en": "Signed in with the identity provider",
    },
    "signed_in_via_proxy": {"zh": "经内网代理认证", "en": "Signed in by the intranet proxy"},
    "sign_in": {"zh": "登录", "en": "Sign in"},
    "sign_out": {"zh": "退出登录", "en": "Sign out"},
    "sign_in_unavailable": {
        "zh": "未配置登录：只读浏览",
        "en": "Sign-in is not configured: read only",
    },
    "sign_in_to_read": {"zh": "请先登录再查看地图。", "en": "Sign in to read the map."},
    "user_role_reader": {"zh": "读者", "en": "reader"},
    "user_role_commenter": {"zh": "评论者", "en": "commenter"},
    "user_role_contributor": {"zh": "贡献者", "en": "contributor"},
    "user_role_curator": {"zh": "审核人", "en": "curator"},
    "user_role_administrator": {"zh": "管理员", "en": "administrator"},
    "review_title": {"zh": "审核与评论", "en": "Review and comments"},
    "review_open": {"zh": "待审核的提案", "en": "Proposals awaiting review"},
    "review_none": {"zh": "暂无", "en": "None yet"},
    "review_reason": {"zh": "理由", "en": "Reason"},
    "review_source": {"zh": "依据", "en": "Source"},
    "review_stale": {
        "zh": "提案提出后该要素已被修改：接受将被拒绝，请对照两个版本重新提出。",
        "en": "The feature changed after this proposal was made: accepting will be "
        "refused; propose again against both versions.",
    },
    "review_field": {"zh": "字段", "en": "Field"},
    "review_before": {"zh": "现状", "en": "Now"},
    "review_after": {"zh": "提案", "en": "Proposed"},
    "review_sketch": {"zh": "虚线：现状；实线：提案", "en": "Dashed: now; solid: proposed"},
    "review_note": {"zh": "审核意见", "en": "Review note"},
    "review_accept": {"zh": "接受并发布", "en": "Accept and publish"},
    "review_reject": {"zh": "驳回", "en": "Reject"},
    "review_accepted": {"zh": "已接受并发布", "en": "Accepted and published"},
    "review_rejected": {"zh": "已驳回", "en": "Rejected"},
    "review_trail": {"zh": "审核记录", "en": "Review trail"},
    "review_feature": {"zh": "要素", "en": "Feature"},
    "review_status": {"zh": "状态", "en": "Status"},
    "review_status_accepted": {"zh": "已接受", "en": "accepted"},
    "review_status_rejected": {"zh": "已驳回", "en": "rejected"},
    "review_status_open": {"zh": "待审核", "en": "open"},
    "review_proposer": {"zh": "提出人", "en": "Proposed by"},
    "review_reviewer": {"zh": "审核人", "en": "Reviewed by"},
    "review_time": {"zh": "时间", "en": "Time"},
    "review_change": {"zh": "修改编号", "en": "Change"},
    "review_version": {"zh": "版本", "en": "version"},
    "review_need_contributor": {
        "zh": "提出修改需要贡献者角色。",
        "en": "Proposing a change needs the contributor role.",
    },
    "review_kind": {"zh": "修改内容", "en": "What changes"},
    "review_kind_geometry": {"zh": "几何", "en": "Geometry"},
    "review_kind_set": {"zh": "字段", "en": "A field"},
    "review_value": {"zh": "新值（文本或 JSON）", "en": "New value (text or JSON)"},
    "review_geojson": {"zh": "新几何（GeoJSON，WGS84）", "en": "New geometry (GeoJSON, WGS84)"},
    "review_precision": {"zh": "精度（米）", "en": "Precision (m)"},
    "review_geometry_source": {"zh": "几何来源", "en": "How the geometry was made"},
    "review_supplier": {"zh": "提供单位（官方几何）", "en": "Supplier (official geometry)"},
    "review_reference": {"zh": "文号", "en": "Reference (文号)"},
    "review_date": {"zh": "日期", "en": "Date"},
    "review_propose": {"zh": "提交提案", "en": "Submit the proposal"},
    "review_proposed": {"zh": "已提交提案", "en": "Proposal submitted"},
    "review_pick_feature": {"zh": "要素", "en": "Feature"},
    "review_tab_review": {"zh": "审核", "en": "Review"},
    "review_tab_propose": {"zh": "提出修改", "en": "Propose"},
    "review_tab_comments": {"zh": "评论", "en": "Comments"},
    "comment_resolve": {"zh": "标为已解决", "en": "Resolve"},
    "comment_reopen": {"zh": "重新打开", "en": "Reopen"},
    "comment_need_commenter": {
        "zh": "评论需要登录并具有评论者角色。",
        "en": "Commenting needs sign-in with the commenter role.",
    },
    "comment_new": {"zh": "新评论", "en": "New comment"},
    "comment_add": {"zh": "发表评论", "en": "Post the comment"},
    "comment_on": {"zh": "评论对象", "en": "Comment on"},
    "comment_on_feature": {"zh": "要素", "en": "A feature"},
    "comment_on_paragraph": {"zh": "文件段落", "en": "A document paragraph"},
    "comment_on_point": {"zh": "地图上的点", "en": "A point on the map"},
    "comment_document": {"zh": "文件", "en": "Document"},
    "comment_paragraph": {"zh": "段落", "en": "Paragraph"},
    "comment_lon": {"zh": "经度（WGS84）", "en": "Longitude (WGS84)"},
    "comment_lat": {"zh": "纬度（WGS84）", "en": "Latitude (WGS84)"},
    # --- end of bureaus strings ---
}
