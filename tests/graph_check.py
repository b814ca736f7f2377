"""Checks Intune profile JSON files against Microsoft's Graph models (msgraph-sdk v1.0 for
custom profiles, msgraph-beta-sdk for Settings Catalog policies; both Kiota-generated from
Graph's metadata), as in the shared research notes (validators.md section 5): the parse
node picks the model class from `@odata.type`, a field the model does not know lands in
`additional_data`, and a value of the wrong JSON type comes back as None. Prints one JSON
object per file: {"file", "errors": [...]} .

A file whose `@odata.type` is `#microsoft.graph.deviceManagementConfigurationPolicy` is a
Settings Catalog policy (Graph beta `deviceManagement/configurationPolicies`).

Usage: python graph_check.py FILE...
"""
import json
import sys

from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from kiota_serialization_json.json_serialization_writer_factory import (
    JsonSerializationWriterFactory,
)
from msgraph.generated.models.device_configuration import DeviceConfiguration
from msgraph.generated.models.oma_setting import OmaSetting
from msgraph.generated.models.oma_setting_integer import OmaSettingInteger
from msgraph.generated.models.oma_setting_string import OmaSettingString
from msgraph.generated.models.windows10_custom_configuration import (
    Windows10CustomConfiguration,
)


def check(path):
    raw = open(path, "rb").read()
    if json.loads(raw).get("@odata.type") == "#microsoft.graph.deviceManagementConfigurationPolicy":
        return check_settings_catalog(raw)
    errors = []
    obj = JsonParseNodeFactory().get_root_parse_node("application/json", raw).get_object_value(
        DeviceConfiguration
    )
    if not isinstance(obj, Windows10CustomConfiguration):
        errors.append("not a Windows10CustomConfiguration: %s" % type(obj).__name__)
        return errors
    if obj.additional_data:
        errors.append("unknown profile fields: %s" % sorted(obj.additional_data))
    if not obj.display_name:
        errors.append("no displayName")
    settings = obj.oma_settings or []
    if not 1 <= len(settings) <= 1000:
        errors.append("omaSettings has %d entries (1 to 1000 allowed)" % len(settings))
    for i, s in enumerate(settings):
        where = "omaSettings[%d]" % i
        if type(s) is OmaSetting or not isinstance(s, OmaSetting):
            errors.append("%s: unknown omaSetting @odata.type (%s)" % (where, type(s).__name__))
            continue
        if s.additional_data:
            errors.append("%s: unknown fields %s" % (where, sorted(s.additional_data)))
        if s.value is None:
            errors.append("%s: value missing or of the wrong JSON type" % where)
        if isinstance(s, OmaSettingString) and not isinstance(s.value, str):
            errors.append("%s: omaSettingString value is not a string" % where)
        if isinstance(s, OmaSettingInteger) and not isinstance(s.value, int):
            errors.append("%s: omaSettingInteger value is not an integer" % where)
        if not s.oma_uri or not s.oma_uri.startswith("./"):
            errors.append("%s: omaUri %r" % (where, s.oma_uri))
        if not s.display_name:
            errors.append("%s: no displayName" % where)
    w = JsonSerializationWriterFactory().get_serialization_writer("application/json")
    w.write_object_value(None, obj)
    back = json.loads(w.get_serialized_content())
    if back != json.loads(raw):
        errors.append("the Graph model does not write the file back unchanged: %s" % json.dumps(back)[:400])
    return errors


def odata_matches(o, where, errors):
    """The `@odata.type` written is the type the model picked (an unknown type falls back
    to the declared class and would otherwise pass)."""
    name = type(o).__name__
    want = "#microsoft.graph." + name[0].lower() + name[1:]
    if o.odata_type != want:
        errors.append("%s: @odata.type %r, the model read a %s" % (where, o.odata_type, name))


def check_instance(inst, where, errors):
    """One setting instance and its children, recursively."""
    from msgraph_beta.generated.models import (
        device_management_configuration_choice_setting_instance as choice,
        device_management_configuration_group_setting_collection_instance as group,
        device_management_configuration_integer_setting_value as integer,
        device_management_configuration_setting_instance as base,
        device_management_configuration_simple_setting_collection_instance as coll,
        device_management_configuration_simple_setting_instance as simple,
        device_management_configuration_string_setting_value as string,
    )

    if inst is None or type(inst) is base.DeviceManagementConfigurationSettingInstance:
        errors.append("%s: unknown setting instance @odata.type (%s)" % (where, type(inst).__name__))
        return
    if inst.additional_data:
        errors.append("%s: unknown fields %s" % (where, sorted(inst.additional_data)))
    odata_matches(inst, where, errors)
    if not inst.setting_definition_id:
        errors.append("%s: no settingDefinitionId" % where)
    where = "%s(%s)" % (where, inst.setting_definition_id)

    def simple_value(v, w):
        if v is None:
            errors.append("%s: value missing" % w)
        elif v.additional_data:
            errors.append("%s: unknown fields %s" % (w, sorted(v.additional_data)))
        elif odata_matches(v, w, errors) is None and isinstance(v, string.DeviceManagementConfigurationStringSettingValue):
            if not isinstance(v.value, str):
                errors.append("%s: string value is not a string" % w)
        elif isinstance(v, integer.DeviceManagementConfigurationIntegerSettingValue):
            if not isinstance(v.value, int):
                errors.append("%s: integer value is not an integer" % w)
        else:
            errors.append("%s: unknown simple value type %s" % (w, type(v).__name__))

    if isinstance(inst, choice.DeviceManagementConfigurationChoiceSettingInstance):
        v = inst.choice_setting_value
        if v is None or not isinstance(v.value, str) or v.additional_data:
            errors.append("%s: choiceSettingValue missing, untyped or with unknown fields" % where)
            return
        odata_matches(v, where + ".choiceSettingValue", errors)
        for i, c in enumerate(v.children or []):
            check_instance(c, "%s.children[%d]" % (where, i), errors)
    elif isinstance(inst, simple.DeviceManagementConfigurationSimpleSettingInstance):
        simple_value(inst.simple_setting_value, where)
    elif isinstance(inst, coll.DeviceManagementConfigurationSimpleSettingCollectionInstance):
        vals = inst.simple_setting_collection_value or []
        if not vals:
            errors.append("%s: empty simpleSettingCollectionValue" % where)
        for i, v in enumerate(vals):
            simple_value(v, "%s[%d]" % (where, i))
    elif isinstance(inst, group.DeviceManagementConfigurationGroupSettingCollectionInstance):
        vals = inst.group_setting_collection_value or []
        if not vals:
            errors.append("%s: empty groupSettingCollectionValue" % where)
        for i, g in enumerate(vals):
            if g.additional_data:
                errors.append("%s[%d]: unknown fields %s" % (where, i, sorted(g.additional_data)))
            odata_matches(g, "%s[%d]" % (where, i), errors)
            for j, c in enumerate(g.children or []):
                check_instance(c, "%s[%d].children[%d]" % (where, i, j), errors)
    else:
        errors.append("%s: instance type %s not produced by policyc" % (where, type(inst).__name__))


def check_settings_catalog(raw):
    """A Settings Catalog policy against the Graph beta models (msgraph-beta-sdk)."""
    from msgraph_beta.generated.models.device_management_configuration_platforms import (
        DeviceManagementConfigurationPlatforms,
    )
    from msgraph_beta.generated.models.device_management_configuration_policy import (
        DeviceManagementConfigurationPolicy,
    )
    from msgraph_beta.generated.models.device_management_configuration_technologies import (
        DeviceManagementConfigurationTechnologies,
    )

    errors = []
    obj = JsonParseNodeFactory().get_root_parse_node("application/json", raw).get_object_value(
        DeviceManagementConfigurationPolicy
    )
    if type(obj) is not DeviceManagementConfigurationPolicy:
        return ["not a DeviceManagementConfigurationPolicy: %s" % type(obj).__name__]
    if obj.additional_data:
        errors.append("unknown policy fields: %s" % sorted(obj.additional_data))
    odata_matches(obj, "policy", errors)
    if not obj.name:
        errors.append("no name")
    if obj.platforms != [DeviceManagementConfigurationPlatforms.Windows10]:
        errors.append("platforms %r, not windows10" % (obj.platforms,))
    if obj.technologies != [DeviceManagementConfigurationTechnologies.Mdm]:
        errors.append("technologies %r, not mdm" % (obj.technologies,))
    t = obj.template_reference
    if t is None or t.template_id != "" or t.template_family is None or t.template_family.value != "none":
        errors.append("templateReference is not the plain Settings Catalog one (templateFamily none)")
    settings = obj.settings or []
    if not settings:
        errors.append("no settings")
    for i, s in enumerate(settings):
        where = "settings[%d]" % i
        if s.additional_data:
            errors.append("%s: unknown fields %s" % (where, sorted(s.additional_data)))
        if s.id != str(i):
            errors.append("%s: id %r" % (where, s.id))
        odata_matches(s, where, errors)
        check_instance(s.setting_instance, where + ".settingInstance", errors)
    w = JsonSerializationWriterFactory().get_serialization_writer("application/json")
    w.write_object_value(None, obj)
    back = json.loads(w.get_serialized_content())
    want = json.loads(raw)
    # The beta model reads the flags enums `platforms` and `technologies` into lists, which
    # its writer's write_enum_value (an Enum only) does not write back; they are checked
    # above, parsed, instead.
    for k in ("platforms", "technologies"):
        want.pop(k, None)
    if back != want:
        errors.append("the Graph model does not write the file back unchanged: %s" % json.dumps(back)[:400])
    return errors


for p in sys.argv[1:]:
    try:
        errs = check(p)
    except Exception as e:  # a parse failure is a finding, not a crash
        errs = ["exception: %r" % (e,)]
    print(json.dumps({"file": p, "errors": errs}))
