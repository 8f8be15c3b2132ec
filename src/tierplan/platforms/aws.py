"""AWS: RDS for PostgreSQL, ElastiCache, SQS, S3 and containers on ECS (the aws CLI v2).

Naming: a database, queue or bucket is ``<app>-<component>``; ECS services run in a cluster named
after the app. tierplan writes no AWS files (no task definitions or templates): `tierplan gen`
lists the stores to create, the runbook's commands create, resize, replicate from and delete RDS
instances, and scale ECS services.
"""

from __future__ import annotations

from .base import S3, Cmds, Created, Generic, Host, NewStore, Placement, Setting, Shell, slug

__all__ = ["Aws"]


class Aws(Generic):
    """Amazon Web Services (aws CLI v2)."""

    # ------------------------------------------------------------ gen
    def settings(self, kind: str, var: str, public: bool = False) -> list[Setting]:
        if kind == "postgres":
            return [
                Setting(
                    "postgresql://USER:PASSWORD@{name}.ID.REGION.rds.amazonaws.com:5432/{name}?sslmode=require",
                    "AWS console > RDS > the instance > Connectivity & security (endpoint); password in Secrets Manager",
                )
            ]
        if kind == "redis":
            return [
                Setting(
                    "rediss://NAME.ID.cache.amazonaws.com:6379",
                    "AWS console > ElastiCache > the cache > Primary endpoint (in-transit encryption on)",
                )
            ]
        if kind == "queue":
            return [
                Setting(
                    "https://sqs.REGION.amazonaws.com/ACCOUNT_ID/{name}",
                    "AWS console > SQS > the queue > URL",
                )
            ]
        return super().settings(kind, var, public)

    def s3(self) -> S3:
        return S3(
            "https://s3.REGION.amazonaws.com",
            "REGION",
            "AWS IAM > a user or role with access to the bucket",
            "AWS",
        )

    # ------------------------------------------------------------ runbook: code hosts (ECS)
    def scale(self, sh: Shell, h: Host, n: int) -> Cmds:
        return Cmds(
            [
                f"aws ecs update-service --cluster {sh.app} --service {h.name} --desired-count {n}"
                + (f" --region {h.region}" if h.region else "")
            ]
        )

    def status(self, sh: Shell, h: Host) -> list[str]:
        return [
            f"aws ecs describe-services --cluster {sh.app} --services {h.name} "
            "--query 'services[0].[desiredCount,runningCount]' --output text"
        ]

    # ------------------------------------------------------------ runbook: plans and stores
    def plan_change(self, sh: Shell, comp: str, kind: str, old: Placement, new: Placement) -> Cmds:
        if kind != "postgres":
            return super().plan_change(sh, comp, kind, old, new)
        ident = f"{sh.app}-{slug(comp)}"
        flag = "--multi-az" if new.plan == "multi-az" else "--no-multi-az"
        unflag = "--no-multi-az" if flag == "--multi-az" else "--multi-az"
        region = f" --region {new.region}" if new.region else ""
        return Cmds(
            [
                f"aws rds modify-db-instance --db-instance-identifier {ident} {flag} --apply-immediately{region}"
            ],
            rollback=[
                f"aws rds modify-db-instance --db-instance-identifier {ident} {unflag} --apply-immediately{region}"
            ],
            verify=[
                f"aws rds describe-db-instances --db-instance-identifier {ident}{region} "
                "--query 'DBInstances[0].[MultiAZ,DBInstanceStatus]' --output text"
            ],
        )

    def resize_store(self, sh: Shell, comp: str, kind: str, frm: Placement, to: Placement) -> Cmds:
        if kind != "postgres":
            return super().resize_store(sh, comp, kind, frm, to)
        ident = f"{sh.app}-{slug(comp)}"
        region = f" --region {to.region}" if to.region else ""
        return Cmds(
            [
                f"aws rds modify-db-instance --db-instance-identifier {ident} --db-instance-class {to.size} --apply-immediately{region}"
            ],
            rollback=[
                f"aws rds modify-db-instance --db-instance-identifier {ident} --db-instance-class {frm.size} --apply-immediately{region}"
            ],
            verify=[
                f"aws rds describe-db-instances --db-instance-identifier {ident}{region} "
                "--query 'DBInstances[0].[DBInstanceClass,DBInstanceStatus]' --output text"
            ],
        )

    def admin_where(self, sh: Shell, comp: str, kind: str, region: str | None) -> str:
        if kind == "redis":
            return "the ElastiCache primary endpoint, from a machine in the VPC (rediss://)"
        return (
            f"postgresql://USER@{sh.app}-{slug(comp)}.ID.{region or 'REGION'}.rds.amazonaws.com:5432/postgres"
            "?sslmode=require with the password from Secrets Manager"
        )

    def create(self, sh: Shell, new: NewStore) -> Created:
        n, name = new.at, new.name
        region = n.region or ""
        if new.kind == "postgres":
            outside = [sh.name_of(x) for x in new.callers]
            multi = "--multi-az" if n.plan == "multi-az" else "--no-multi-az"
            out = Created(
                [
                    f"aws rds create-db-instance --db-instance-identifier {name} --engine postgres "
                    f"--db-instance-class {n.size} --allocated-storage {new.disk_gb} --master-username app "
                    f"--manage-master-user-password --backup-retention-period {new.backup_days} {multi}"
                    + (" --publicly-accessible" if outside else "")
                    + f" --region {region}"
                ],
                sized_disk=True,
                opens_access=True,
            )
            if outside:
                out.manual.append(
                    f"AWS console > RDS > {name} > VPC security groups: allow inbound 5432 from "
                    f"{', '.join(outside)} (their egress IPs where fixed); connections require TLS"
                )
            out.commands.append(
                f"aws rds wait db-instance-available --db-instance-identifier {name} --region {region}"
            )
            out.rollback.append(
                f"aws rds delete-db-instance --db-instance-identifier {name} --skip-final-snapshot --region {region}"
            )
            return out
        if new.kind == "queue":
            return Created(
                [f"aws sqs create-queue --queue-name {name} --region {n.region}"],
                rollback=[f'aws sqs delete-queue --queue-url "$NEW_{new.env}" --region {n.region}'],
            )
        if new.kind == "object_storage":
            return Created([f'aws s3 mb "s3://{new.bucket}" --region {n.region}'])
        return super().create(sh, new)

    def store_check(self, sh: Shell, comp: str, kind: str, env: str, at: Placement) -> list[str]:
        if kind == "queue":
            return [
                f"aws sqs get-queue-attributes --queue-url {sh.new_ref(env)} --attribute-names All --region {at.region}"
            ]
        return []

    def enable_replication(self, sh: Shell, comp: str, admin_url: str, at: Placement) -> Cmds:
        ident = f"{sh.app}-{slug(comp)}"
        region = f" --region {at.region}" if at.region else ""
        return Cmds(
            [
                f"aws rds create-db-parameter-group --db-parameter-group-name {ident}-logical "
                f"--db-parameter-group-family postgres16 --description 'logical replication'{region}",
                f"aws rds modify-db-parameter-group --db-parameter-group-name {ident}-logical "
                "--parameters 'ParameterName=rds.logical_replication,ParameterValue=1,ApplyMethod=pending-reboot'"
                + region,
                f"aws rds modify-db-instance --db-instance-identifier {ident} --db-parameter-group-name {ident}-logical --apply-immediately{region}",
                f"aws rds reboot-db-instance --db-instance-identifier {ident}{region}",
            ]
        )

    def delete(self, sh: Shell, comp: str, kind: str, at: Placement) -> Cmds:
        ident = f"{sh.app}-{slug(comp)}"
        return Cmds(
            [
                f"aws rds delete-db-instance --db-instance-identifier {ident} --final-db-snapshot-identifier {ident}-final"
                + (f" --region {at.region}" if at.region else "")
            ]
        )

    def queue_drain(self, sh: Shell, env: str, at: Placement) -> list[str]:
        old = sh.old_ref(env)
        return [
            f'until [ "$(aws sqs get-queue-attributes --queue-url {old} --attribute-names ApproximateNumberOfMessages '
            f"--query 'Attributes.ApproximateNumberOfMessages' --output text --region {at.region})\" = 0 ]; do sleep 10; done"
        ]
