"""`make bench`: what each API operation costs in AWS calls and DynamoDB capacity, and what each handler
costs to import cold. See __main__ for the command line; results go to docs/bench-results.json.

Modules: capacity (AWS's sizing rules), charges (a DynamoDB request -> capacity), recorder (botocore
hooks), harness (moto + template resources), operations (the API scenario), imports (cold imports),
report (the JSON document, targets and printed text).
"""
