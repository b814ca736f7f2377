"""Checks Intune profile JSON files against Microsoft's Graph v1.0 models (msgraph-sdk,
Kiota-generated from Graph's metadata), as in the shared research notes (validators.md
section 5): the parse node picks the model class from `@odata.type`, a field the model
does not know lands in `additional_data`, and a value of the wrong JSON type comes back
as None. Prints one JSON object per file: {"file", "errors": [...]} .

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
    errors = []
    raw = open(path, "rb").read()
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


for p in sys.argv[1:]:
    try:
        errs = check(p)
    except Exception as e:  # a parse failure is a finding, not a crash
        errs = ["exception: %r" % (e,)]
    print(json.dumps({"file": p, "errors": errs}))
