from .actions import ImprovementAction
from .questionnaires import Question, Questionnaire, QuestionnaireVersion
from .snapshot import AnswerCell, RateCell
from .surveys import Answer, Survey, SurveyOptOut, SurveyResponse
from .waves import SurveyWave, WaveMember, WaveReminder

__all__ = ["Answer", "AnswerCell", "ImprovementAction", "Question", "Questionnaire", "QuestionnaireVersion",
           "RateCell", "Survey", "SurveyOptOut", "SurveyResponse", "SurveyWave", "WaveMember", "WaveReminder"]
