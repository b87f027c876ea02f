"""`guanxi survey_wave_launch WAVE_ID`: launch a sampled survey wave, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from guanxi.accounts.access import SYSTEM
from guanxi.core.errors import DomainError
from guanxi.surveys.models import SurveyWave
from guanxi.surveys.services.waves import wave_launch


class Command(BaseCommand):
    help = "Launch a sampled survey wave: one survey per member, the invitations queued (progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("wave_id", type=int)

    def handle(self, *args, wave_id, **options):
        wave = SurveyWave.objects.filter(pk=wave_id).first()
        if wave is None:
            raise CommandError(f"no survey wave {wave_id}")
        console = Console(file=self.stdout._out, highlight=False, width=None if self.stdout.isatty() else 120)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            bar = progress.add_task(f"wave {wave_id}: surveys", total=None)
            try:
                wave = wave_launch(actor=SYSTEM, wave=wave,
                                   progress=lambda done, total: progress.update(bar, completed=done, total=total))
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        console.print(f"[green]✓[/] wave {wave.pk} launched: {wave.members.count()} surveys sent")
